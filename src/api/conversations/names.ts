import { invalidArgument } from '../../kernel/errors.ts';
import { RESOURCE_ID_PATTERN } from '../../core/tenancy/tenancy.ts';
import { ID_PATTERN } from '../../kernel/ids.ts';
import { conversationName, profileName } from '../../core/resource-names.ts';
import type { Conversation } from '../../kernel/types.ts';
import { CONVERSATION_ID_PATTERN } from '../kit/google/schemas.ts';

export interface ConversationName {
  customerId: string;
  profileId: string;
  nameId: string;
}

export { conversationName, profileName };

export function messageName(c: Pick<Conversation, 'customerId' | 'profileId' | 'nameId'>, messageId: string): string {
  return `${conversationName(c)}/messages/${messageId}`;
}

export function eventName(c: Pick<Conversation, 'customerId' | 'profileId' | 'nameId'>, seq: number): string {
  return `${conversationName(c)}/events/${seq}`;
}

export function tagName(customerId: string, profileId: string, tagId: string): string {
  return `${profileName(customerId, profileId)}/tags/${tagId}`;
}

function segments(name: string, field: string, shape: string[]): string[] {
  const parts = name.split('/');
  const ok = parts.length === shape.length * 2 && shape.every((collection, i) => parts[i * 2] === collection);
  if (!ok) throw invalidArgument(field, `must look like ${shape.map((c) => `${c}/{${c.slice(0, -1)}}`).join('/')}`);
  return shape.map((_, i) => parts[i * 2 + 1]);
}

export function parseConversationName(name: string, field = 'name'): ConversationName {
  const [customerId, profileId, nameId] = segments(name, field, ['customers', 'profiles', 'conversations']);
  checkIds(field, customerId, profileId);
  if (!CONVERSATION_ID_PATTERN.test(nameId)) throw invalidArgument(field, `conversation id must match ${CONVERSATION_ID_PATTERN}`);
  return { customerId, profileId, nameId };
}

export function parseMessageName(name: string, field = 'name'): ConversationName & { messageId: string } {
  const [customerId, profileId, nameId, messageId] = segments(name, field, ['customers', 'profiles', 'conversations', 'messages']);
  checkIds(field, customerId, profileId);
  if (!CONVERSATION_ID_PATTERN.test(nameId)) throw invalidArgument(field, `conversation id must match ${CONVERSATION_ID_PATTERN}`);
  if (!ID_PATTERN.test(messageId)) throw invalidArgument(field, 'message id must be 24 lowercase hex characters');
  return { customerId, profileId, nameId, messageId };
}

export function parseTagName(name: string, field = 'tag'): { customerId: string; profileId: string; tagId: string } {
  const [customerId, profileId, tagId] = segments(name, field, ['customers', 'profiles', 'tags']);
  checkIds(field, customerId, profileId);
  return { customerId, profileId, tagId };
}

function checkIds(field: string, customerId: string, profileId: string): void {
  if (!RESOURCE_ID_PATTERN.test(customerId)) throw invalidArgument(field, `customer id must match ${RESOURCE_ID_PATTERN}`);
  if (!RESOURCE_ID_PATTERN.test(profileId)) throw invalidArgument(field, `profile id must match ${RESOURCE_ID_PATTERN}`);
}

/**
 * The conversation segments that address `parent` (the conversation the path resolved to): the
 * path's own, its name, and each other segment of `named` under the same profile that `resolve`
 * (core's one rule: name, else 24-hex id) maps to it. A message name may then use either form.
 */
export async function segmentsOf(
  parent: ConversationName,
  pathSegment: string,
  named: readonly ConversationName[],
  resolve: (c: ConversationName) => Promise<ConversationName>,
): Promise<Set<string>> {
  const accepted = new Set([pathSegment, parent.nameId]);
  const others = new Set(named
    .filter((c) => c.customerId === parent.customerId && c.profileId === parent.profileId && !accepted.has(c.nameId))
    .map((c) => c.nameId));
  for (const segment of others) {
    // The first segment that names another conversation fails the caller's check: stop resolving there.
    if ((await resolve({ ...parent, nameId: segment })).nameId !== parent.nameId) break;
    accepted.add(segment);
  }
  return accepted;
}
