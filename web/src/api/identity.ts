import type { Identity } from '../session.ts';
import { conversations, ok } from './client.ts';
import { lastSegment } from './names.ts';

/** What Parley says a key is (GET /v1/customers/-/apiKeys:introspect); an ApiError 401 when it does not accept it. */
export async function introspect(key?: string): Promise<Identity> {
  const body = await ok(conversations.GET('/v1/customers/-/apiKeys:introspect', key ? { headers: { authorization: `Bearer ${key}` } } : {}));
  return {
    name: body.name,
    displayName: body.displayName,
    customer: lastSegment(body.customer),
    profile: body.profile,
    agent: body.agent,
    scopes: body.scopes,
  };
}
