import type { Role } from '../../kernel/types.ts';

/** The roles of an LLM chat: OpenAI's chat messages, and the ingest surface's message roles (the same four). */
export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/**
 * Speakers onto chat roles [Parley], for every reader that needs a chat (the ingest surface's
 * rendering, the insights transcript, `parley sample --format openai`): the visitor is the user;
 * every kind of agent (human, virtual, a supervisor who joins) is the assistant; system lines and
 * messages with no speaker (a MIXED call's transcript, a message created without one) are not a
 * party, so they are system lines.
 */
export const CHAT_ROLE_OF_SPEAKER: Readonly<Record<Role, ChatRole>> = {
  ROLE_UNSPECIFIED: 'system', VISITOR: 'user', AGENT: 'assistant', VIRTUAL_AGENT: 'assistant', SUPERVISOR: 'assistant', SYSTEM: 'system',
};

const isChatRole = (value: unknown): value is ChatRole => (CHAT_ROLES as readonly unknown[]).includes(value);

/**
 * A message's chat role: the one it was written with, when its writer knew one (the ingest surface
 * keeps it as the message metadata's `role`, so a `tool` result stays a tool result although its
 * speaker is SYSTEM), else its speaker's.
 */
export function chatRoleOf(speaker: Role, recordedRole: unknown): ChatRole {
  return isChatRole(recordedRole) ? recordedRole : CHAT_ROLE_OF_SPEAKER[speaker];
}
