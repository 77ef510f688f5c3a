import { hasScope } from '../tenancy/access.ts';
import type { Caller } from '../../kernel/types.ts';

/** The scope that lets a key read `/metrics` even when it is narrowed or its scopes are listed. */
export const METRICS_SCOPE = 'Parley:ReadMetrics';

/**
 * `/metrics` describes the whole process (every customer's traffic in aggregate), so it is for the
 * operator: a key of the whole customer with every scope, or any key given METRICS_SCOPE itself.
 * A key narrowed to a profile or an agent sees only its part of the data, and is refused here.
 */
export function mayReadMetrics(caller: Caller): boolean {
  if (caller.scopes.includes(METRICS_SCOPE)) return true;
  return caller.profileId === null && caller.agentId === null && caller.endUser === undefined && hasScope(caller, METRICS_SCOPE);
}
