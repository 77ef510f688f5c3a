import type { NewMessage } from '../../store/messages.ts';
import { newId } from '../../kernel/ids.ts';
import { INGEST_ROLES, type IngestMessage, type IngestRole } from './content.ts';
import type { Json, JsonObject, Message, Role } from '../../kernel/types.ts';

/**
 * Ingest roles onto core speakers. A tool result is neither party speaking, so it is SYSTEM; the
 * original role is kept in the message's metadata and rendered back from there.
 */
const SPEAKERS: Record<IngestRole, Role> = { user: 'VISITOR', assistant: 'VIRTUAL_AGENT', system: 'SYSTEM', tool: 'SYSTEM' };

/** For messages written by other surfaces, which carry no ingest role. */
const ROLES: Record<Role, IngestRole> = {
  ROLE_UNSPECIFIED: 'system', AGENT: 'assistant', VISITOR: 'user', VIRTUAL_AGENT: 'assistant', SUPERVISOR: 'assistant', SYSTEM: 'system',
};

/** The ingest-only fields, in the order they render. */
const EXTRAS = ['timestamp', 'model', 'tokens', 'toolCalls', 'usage', 'latencyMs', 'metadata'] as const;

export function toNewMessage(message: IngestMessage): NewMessage {
  const metadata: JsonObject = { role: message.role };
  for (const field of EXTRAS) {
    if (message[field] !== undefined) metadata[field] = message[field] as Json;
  }
  return {
    id: newId(),
    text: message.content,
    speaker: SPEAKERS[message.role],
    state: 'FINAL',
    // The caller's own time of the turn, when given, is the message's time on every surface.
    createTime: message.timestamp ? new Date(message.timestamp) : undefined,
    metadata,
  };
}

export function fromMessage(message: Message): IngestMessage {
  const stored = message.metadata ?? {};
  const role = (INGEST_ROLES as readonly unknown[]).includes(stored.role) ? (stored.role as IngestRole) : ROLES[message.speaker];
  const out: Record<string, unknown> = { role, content: message.text };
  for (const field of EXTRAS) {
    if (stored[field] !== undefined) out[field] = stored[field];
  }
  return out as IngestMessage;
}
