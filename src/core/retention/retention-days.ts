import { invalidArgument } from '../../kernel/errors.ts';

/** The most a retention may be: 100 years, as the conversations surface's policyOverride allows. */
export const RETENTION_DAYS_MAX = 36_500;

/** A profile's retention: whole days from 1 to RETENTION_DAYS_MAX, or null (kept until deleted). */
export function checkRetentionDays(days: number | null, field = 'retentionDays'): number | null {
  if (days === null) return null;
  if (!Number.isInteger(days) || days < 1 || days > RETENTION_DAYS_MAX) {
    throw invalidArgument(field, `must be a whole number of days from 1 to ${RETENTION_DAYS_MAX}`);
  }
  return days;
}
