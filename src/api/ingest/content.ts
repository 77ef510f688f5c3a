import { Type, type Static } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { ParleyError, type FieldViolation } from '../../kernel/errors.ts';
import { INGEST_LIMITS, payloadTooLarge, utf8Bytes } from '../../core/ingest/limits.ts';
import type { JsonObject } from '../../kernel/types.ts';
import { makeAjv } from '../kit/ajv.ts';
import { unstorableValue } from '../kit/validation.ts';
import { ingestViolation } from './errors.ts';

export const INGEST_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type IngestRole = (typeof INGEST_ROLES)[number];

const FreeObject = Type.Record(Type.String(), Type.Unknown());

/**
 * The ingest surface's content formats (seed 004): its message schema, the structured and the
 * role-labelled text transcript, and the per-message rules the wire states (a tool result may be
 * empty). The core receives the messages mapped (map.ts) and enforces the conversation's limits.
 *
 * One message of the ingest surface (seed 004). The same schema checks the append body and the
 * structured `content` of a create call. Sizes are checked separately (413, not 400).
 */
export const IngestMessageSchema = Type.Object({
  role: Type.Unsafe<IngestRole>({ type: 'string', enum: [...INGEST_ROLES] }),
  content: Type.String(),
  timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339' })),
  model: Type.Optional(Type.String({ maxLength: 256 })),
  tokens: Type.Optional(Type.Integer({ minimum: 0 })),
  toolCalls: Type.Optional(Type.Array(FreeObject, { maxItems: 128 })),
  usage: Type.Optional(Type.Object({
    promptTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    completionTokens: Type.Optional(Type.Integer({ minimum: 0 })),
  }, { additionalProperties: false })),
  latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
  metadata: Type.Optional(FreeObject),
}, { additionalProperties: false });
export type IngestMessage = Static<typeof IngestMessageSchema>;

const StructuredContent = Type.Object({
  messages: Type.Array(Type.Unknown()),
  metadata: Type.Optional(FreeObject),
}, { additionalProperties: false });

const ajv = makeAjv({ coerceTypes: false, useDefaults: false });
const validMessage = ajv.compile<IngestMessage>(IngestMessageSchema);
const validStructure = ajv.compile<Static<typeof StructuredContent>>(StructuredContent);

export interface ParsedContent {
  format: 'structured' | 'text';
  messages: IngestMessage[];
  metadata: JsonObject;
}

function violation(field: string, description: string): ParleyError {
  const violations: FieldViolation[] = [{ field, description }];
  return new ParleyError('INVALID_ARGUMENT', `${field}: ${description}`, { fieldViolations: violations });
}

function ajvViolation(prefix: string, error: ErrorObject): ParleyError {
  const { field, description } = ingestViolation(error, prefix);
  return violation(field, description);
}

/**
 * The rules a message's schema cannot say: non-empty content except for tool results, and the
 * byte limits. `field` is the wire path of the message (e.g. `messages[3]`).
 */
export function checkIngestMessage(message: IngestMessage, field: string): IngestMessage {
  if (message.role !== 'tool' && message.content.trim() === '') {
    throw violation(`${field}.content`, `must not be empty for role ${message.role} (only tool messages may have empty content)`);
  }
  if (utf8Bytes(message.content) > INGEST_LIMITS.messageBytes) {
    throw payloadTooLarge('messageBytes', `${field}.content`, 'message content in UTF-8 bytes');
  }
  const { toolCalls, usage, metadata } = message;
  if ((toolCalls || usage || metadata) && utf8Bytes(JSON.stringify({ toolCalls, usage, metadata })) > INGEST_LIMITS.messageExtrasBytes) {
    throw payloadTooLarge('messageExtrasBytes', field, 'toolCalls, usage and metadata of one message, serialised,');
  }
  return message;
}

/** Labels of the text format. Seed: User/Assistant, Human/AI, Customer/Agent; System and Tool are Parley's, so rendered content parses back. */
const LABELS: Record<string, IngestRole> = {
  user: 'user', human: 'user', customer: 'user',
  assistant: 'assistant', ai: 'assistant', agent: 'assistant',
  system: 'system', tool: 'tool',
};
const LABEL_LINE = /^[ \t]*(user|assistant|human|ai|customer|agent|system|tool)[ \t]*:[ \t]?(.*)$/i;
const RENDER_LABELS: Record<IngestRole, string> = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool' };

function parseText(content: string): IngestMessage[] {
  const turns: { role: IngestRole; lines: string[] }[] = [];
  for (const line of content.split(/\r?\n/)) {
    const label = LABEL_LINE.exec(line);
    if (label) {
      turns.push({ role: LABELS[label[1].toLowerCase()], lines: [label[2]] });
    } else if (turns.length > 0) {
      turns[turns.length - 1].lines.push(line);
    } else if (line.trim() !== '') {
      throw violation('content', 'is neither a JSON object with a messages array nor role-labelled text: the first line must start with a label such as "User:" or "Assistant:"');
    }
  }
  return turns.map((t) => ({ role: t.role, content: t.lines.join('\n').trim() }));
}

function parseStructured(content: string): { messages: unknown[]; metadata: JsonObject } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (err) {
    throw violation('content', `starts with "{" but is not valid JSON: ${(err as Error).message}`);
  }
  // The parsed values reach jsonb like a body's: the same NUL, surrogate and nesting check.
  const unstorable = unstorableValue(parsed);
  if (unstorable) throw ajvViolation('content', unstorable);
  if (!validStructure(parsed)) throw ajvViolation('content', validStructure.errors![0]);
  return { messages: parsed.messages, metadata: (parsed.metadata ?? {}) as JsonObject };
}

/**
 * Parses a create call's `content` in either format, enforcing every limit before anything is
 * written: 413 for sizes, 400 naming the field for anything malformed.
 */
export function parseContent(content: string): ParsedContent {
  if (utf8Bytes(content) > INGEST_LIMITS.contentBytes) throw payloadTooLarge('contentBytes', 'content', 'content in UTF-8 bytes');
  const structured = content.trimStart().startsWith('{');
  const { messages: raw, metadata } = structured ? parseStructured(content) : { messages: parseText(content), metadata: {} };
  if (raw.length > INGEST_LIMITS.messages) throw payloadTooLarge('messages', 'content.messages', 'number of messages');
  const messages = raw.map((m, i) => {
    const field = `content.messages[${i}]`;
    if (structured && !validMessage(m)) throw ajvViolation(field, validMessage.errors![0]);
    return checkIngestMessage(m as IngestMessage, field);
  });
  return { format: structured ? 'structured' : 'text', messages, metadata };
}

/** The text format of a transcript: one `Label: content` turn per message. */
export function renderText(messages: readonly Pick<IngestMessage, 'role' | 'content'>[]): string {
  return messages.map((m) => `${RENDER_LABELS[m.role]}: ${m.content}`).join('\n');
}
