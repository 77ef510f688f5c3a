import { LIMITS, OFFSET_PAGE } from '../../kernel/limits.ts';
import { ParleyError } from '../../kernel/errors.ts';

/**
 * The ingest surface's documented maximums (seed 004, plus Parley's own for appends and lists),
 * all enforced in the core before any write. Sizes are UTF-8 bytes; "KB" in the seed is read as
 * 1,000 bytes, which keeps a 100 KB message within the core's 100,000-character message limit.
 */
export const INGEST_LIMITS = {
  /** The `content` string of a create call (seed: 512 KB). */
  contentBytes: 512_000,
  /** Messages in one create call's content, or in one append call (seed: 500). */
  messages: 500,
  /** One message's `content` (seed: 100 KB). */
  messageBytes: LIMITS.messageText,
  /** One message's toolCalls, usage and metadata together, serialised (Parley). */
  messageExtrasBytes: LIMITS.jsonObjectBytes,
  /** A conversation's metadata after merging, serialised (Parley). */
  metadataBytes: LIMITS.jsonObjectBytes,
  /** Messages a conversation accumulates through appends; every append answers with all of them (Parley). */
  conversationMessages: 5_000,
  /** Content bytes a conversation accumulates through appends (Parley). */
  conversationContentBytes: 5_000_000,
  /** Page size of the list routes (seed: default 20, max 100). */
  pageSize: OFFSET_PAGE.maxLimit,
  /** Deepest offset of the list routes: an offset walks every row before it (Parley). */
  offset: OFFSET_PAGE.maxOffset,
} as const;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** 413 naming the ingest limit and the wire field that passed it. */
export function payloadTooLarge(name: keyof typeof INGEST_LIMITS, field: string, what: string): ParleyError {
  const max = INGEST_LIMITS[name];
  return new ParleyError('PAYLOAD_TOO_LARGE', `${field}: ${what} exceeds the limit of ${max.toLocaleString('en-US')}`, {
    limit: { name, max },
    fieldViolations: [{ field, description: `${what} exceeds the limit of ${max}` }],
  });
}
