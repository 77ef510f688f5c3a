import type { ConversationKey } from '../../store/conversation-lookups.ts';
import type { Stores } from '../../store/index.ts';
import { isId } from '../../kernel/ids.ts';

/**
 * A conversation named by a segment of its resource name (customers/c/profiles/p/conversations/<segment>).
 * The name segment (`nameId`) is the one the resource name renders: the client-chosen id, else the
 * conversation's 24-hex id.
 */
export interface NamedConversation {
  customerId: string;
  profileId: string;
  nameId: string;
}

/**
 * THE rule for a conversation segment, on every surface that takes one: the client-chosen name
 * first; only when no conversation of the profile has that name, and the segment is 24 lowercase
 * hex, the conversation with that id. Name wins, so a name stays addressable whatever ids exist;
 * a start with such a segment returns the conversation it resolves to (lifecycle.ts startIn), so no
 * second conversation can take another's id as its name.
 */
export function pickConversation(segment: string, keys: readonly ConversationKey[]): ConversationKey | undefined {
  return keys.find((k) => k.nameId === segment) ?? (isId(segment) ? keys.find((k) => k.id === segment) : undefined);
}

/**
 * Each segment's name segment after the rule, in one statement; a segment that names nothing is
 * kept as it is (reads then answer NOT_FOUND, a start creates it). A segment that is not 24-hex can
 * only be a name, so it costs no query.
 */
export async function resolveNamesIn(s: Stores, customerId: string, profileId: string, segments: readonly string[]): Promise<Map<string, string>> {
  const resolved = new Map(segments.map((segment) => [segment, segment]));
  const hex = [...new Set(segments.filter(isId))];
  if (hex.length === 0) return resolved;
  const keys = await s.conversations.findConversationKeys(customerId, profileId, hex, hex);
  for (const segment of hex) {
    const found = pickConversation(segment, keys);
    if (found) resolved.set(segment, found.nameId);
  }
  return resolved;
}

export async function resolveNameIn(s: Stores, customerId: string, profileId: string, segment: string): Promise<NamedConversation> {
  const resolved = await resolveNamesIn(s, customerId, profileId, [segment]);
  return { customerId, profileId, nameId: resolved.get(segment)! };
}
