import type { ProfileRow } from '../../store/customers.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { Stores } from '../../store/index.ts';
import { notFound } from '../../kernel/errors.ts';
import type { Caller, Conversation } from '../../kernel/types.ts';

// The handle every conversation service takes, so the surfaces need not import the store.
export type { ConversationRef };

/**
 * Tenancy: another customer's resource, or a profile outside a narrowed key, is NOT_FOUND —
 * never PERMISSION_DENIED — so existence never leaks.
 */
export function assertCustomer(caller: Caller, customerId: string, what = 'profile'): void {
  if (caller.customerId !== customerId) throw notFound(what);
}

export function assertProfileVisible(caller: Caller, profileId: string, what = 'profile'): void {
  if (caller.profileId !== null && caller.profileId !== profileId) throw notFound(what);
}

export async function requireProfile(s: Stores, caller: Caller, customerId: string, profileId: string): Promise<ProfileRow> {
  assertCustomer(caller, customerId);
  assertProfileVisible(caller, profileId);
  const profile = await s.customers.getProfile(customerId, profileId);
  if (!profile) throw notFound('profile');
  return profile;
}

/** A conversation addressed by resource name (customers/c/profiles/p/conversations/n). */
export function namedConversation(caller: Caller, customerId: string, profileId: string, nameId: string): ConversationRef {
  assertCustomer(caller, customerId, 'conversation');
  assertProfileVisible(caller, profileId, 'conversation');
  return { customerId, profileId, nameId };
}

/** A conversation addressed by Parley id, narrowed to the caller's profile when the key is. */
export function conversationById(caller: Caller, id: string): ConversationRef {
  return { customerId: caller.customerId, id, profileId: caller.profileId };
}

/**
 * A conversation by Parley id as the caller's key sees it: its customer, its narrowed profile, and
 * for a key narrowed to an agent (the agent and support surfaces) a conversation that agent holds.
 * NOT_FOUND otherwise.
 */
export async function visibleConversation(s: Stores, caller: Caller, id: string, options: { forUpdate?: boolean } = {}): Promise<Conversation> {
  const conversation = await s.conversations.getConversation({ customerId: caller.customerId, id, profileId: caller.profileId }, options);
  if (!conversation) throw notFound('conversation');
  if (caller.agentId) {
    const recorded = await s.agentVersions.getConversationAgentVersion(caller.customerId, id);
    if (recorded?.agentId !== caller.agentId) throw notFound('conversation');
  }
  return conversation;
}

export function actorOf(caller: Caller): string {
  return caller.keyId === SYSTEM_KEY_ID ? 'system:jobs' : `apiKeys/${caller.keyId}`;
}

const SYSTEM_KEY_ID = '';

/** The caller background jobs act as: the whole customer, every scope, logged as `system:jobs`. */
export function systemCaller(customerId: string): Caller {
  return { customerId, keyId: SYSTEM_KEY_ID, profileId: null, agentId: null, scopes: ['*'] };
}

/** Scope check: `*` grants everything; otherwise the exact permission string. */
export function hasScope(caller: Caller, permission: string): boolean {
  return caller.scopes.includes('*') || caller.scopes.includes(permission);
}
