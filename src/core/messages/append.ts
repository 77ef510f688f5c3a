import type { Queryable } from '../../store/driver.ts';
import { appendMessageBatch, type AppendRequest, type NewMessage } from '../../store/messages.ts';
import { invalidArgument, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Message } from '../../kernel/types.ts';
import { AppendBatcher, type GroupObserver } from './append-batcher.ts';

export type { AppendRequest };

/** A message as a caller gives it: the core assigns its id, and its state and speaker by default. */
export type MessageInput = Omit<NewMessage, 'id' | 'state' | 'speaker'> & Partial<Pick<NewMessage, 'state' | 'speaker'>>;

/**
 * A message says something: text (more than white space), its HTML, the platform's original event,
 * or, from the ingest surface, its own fields (a tool result with empty content still carries its
 * role and calls there).
 */
function hasContent(input: MessageInput): boolean {
  const filled = (value: object | null | undefined) => value != null && Object.keys(value).length > 0;
  return input.text.trim() !== '' || (input.textHtml ?? '').trim() !== '' || filled(input.originalEventData) || filled(input.metadata);
}

/** The rules every new message obeys, whichever surface sends it; `prefix` is the wire path of the list. */
export function checkMessage(input: MessageInput, index: number, prefix: string): NewMessage {
  const field = (name: string) => `${prefix}[${index}].${name}`;
  if (input.text.length > LIMITS.messageText) {
    throw new ParleyError('PAYLOAD_TOO_LARGE', `${field('text')}: at most ${LIMITS.messageText} characters`, {
      fieldViolations: [{ field: field('text'), description: `at most ${LIMITS.messageText} characters` }],
      limit: { name: 'messageText', max: LIMITS.messageText },
    });
  }
  if (!hasContent(input)) {
    throw invalidArgument(field('text'), 'must not be empty: a message carries text, textHtml or originalEventData');
  }
  if (input.state === 'DELETED') throw invalidArgument(field('state'), 'a new message cannot be DELETED');
  if (input.audioStartOffset != null && input.audioEndOffset != null && input.audioEndOffset < input.audioStartOffset) {
    throw invalidArgument(field('audioEndOffset'), 'must not be before audioStartOffset');
  }
  return {
    ...input,
    id: newId(),
    state: !input.state || input.state === 'STATE_UNSPECIFIED' ? 'FINAL' : input.state,
    speaker: input.speaker ?? 'ROLE_UNSPECIFIED',
  };
}

/**
 * THE append path: every surface's messages are written by one statement (store appendMessageBatch:
 * row lock, gapless seqs, MESSAGE_CREATE events, and the request's own extra events and ingest
 * metadata). Two ways in, same statement:
 * - `grouped`: no transaction of the caller's. Group commit (AppendBatcher): a busy server sends
 *   many requests as one statement and one commit. Every append without an idempotency key.
 * - `inTransaction`: inside the caller's transaction, alone: an append under an idempotency key,
 *   one that also changes the conversation's state (an ingest append that completes it), a call's
 *   transcript, and an agent interaction's turn (its user message, then its reply, each
 *   `inTransaction(tx, …)` in the turn's transaction, so a failed turn rolls both back).
 * Returns the request's messages; [] when its conversation is absent, in the wrong state, or moved
 * past the request's `expectSeq` (the caller tells them apart).
 */
export class AppendPath {
  private readonly batcher: AppendBatcher;

  constructor(db: Queryable, appendStatements = 1, onGroup?: GroupObserver) {
    this.batcher = new AppendBatcher(db, appendStatements, undefined, onGroup);
  }

  grouped(request: AppendRequest): Promise<Message[]> {
    return this.batcher.append(request);
  }

  async inTransaction(tx: Queryable, request: AppendRequest): Promise<Message[]> {
    const [appended] = await appendMessageBatch(tx, [request]);
    return appended;
  }
}
