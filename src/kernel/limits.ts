import { invalidArgument } from './errors.ts';

/**
 * Every documented maximum, enforced before any write. The README's limits table lists these.
 */
export const LIMITS = {
  /** Whole request body, bytes. A batch of 500 messages of 16 KB fits. */
  bodyBytes: 10 * 1024 * 1024,
  /** Short strings: names, ids, display names, skills, teams. */
  shortString: 1024,
  /** A message's text, characters (the ingest surface allows 100 KB a message). */
  messageText: 100_000,
  /** Serialized JSON of a free-form object (metadata, payloads, original event data), bytes. */
  jsonObjectBytes: 64 * 1024,
  /** Participants on one conversation. */
  participants: 100,
  /** Messages in one batch create. */
  batchMessages: 500,
  /** Conversations in one batch start or batch get. */
  batchConversations: 100,
  /** Events in one batch create. */
  batchEvents: 500,
  /** Messages in one batch get. */
  batchGetMessages: 1000,
  /** Page size maximum except sampling. */
  pageSize: 1000,
  /** Filter values in one repeated filter field. */
  filterValues: 100,
  /** Metadata keys on a conversation. */
  metadataKeys: 256,
  /**
   * Nesting of arrays and objects in one JSON document (a body, a stream message, ingest content):
   * deeper values overflowed the stack of the checks that walk them, and PostgreSQL's jsonb parser.
   */
  jsonDepth: 64,
  /** Length of one path segment (ids and names), characters: the longest documented id is 128. */
  pathParam: 1024,
} as const;

/**
 * Every time on the wire (fields, filters): RFC 3339 inside these bounds once in UTC, without a
 * leap second. JavaScript's Date holds no leap second and PostgreSQL's timestamptz no year 0000.
 */
export const TIME_RANGE = { min: '0001-01-01T00:00:00Z', max: '9999-12-31T23:59:59.999Z' } as const;

/**
 * Offset paging, which the ingest surface's vendor forces: the page size, and the deepest offset
 * (an offset walks every row before it, so it is capped).
 */
export const OFFSET_PAGE = { maxLimit: 100, maxOffset: 10_000 } as const;

export function checkOffsetPage(page: { limit: number; offset: number }): void {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > OFFSET_PAGE.maxLimit) {
    throw invalidArgument('limit', `must be an integer from 1 to ${OFFSET_PAGE.maxLimit}`);
  }
  if (!Number.isInteger(page.offset) || page.offset < 0 || page.offset > OFFSET_PAGE.maxOffset) {
    throw invalidArgument('offset', `must be an integer from 0 to ${OFFSET_PAGE.maxOffset}`);
  }
}
