import { invalidArgument } from '../../kernel/errors.ts';

/**
 * A position in the event log as the stream routes show it: `<tx>.<gid>`, the event's transaction id
 * (xid8) and its log position (gid), in decimal. Opaque to clients: they only hand it back (SSE
 * `Last-Event-ID`, `?after=`). Any well-formed cursor is valid, also one older than what retention
 * kept: the stream resumes after it with what is still there.
 */
export interface LogPosition {
  tx: string;
  gid: number;
}

const CURSOR = /^(\d{1,20})\.(\d{1,16})$/;
const MAX_XID8 = (1n << 64n) - 1n;

export function encodeCursor(position: LogPosition): string {
  return `${position.tx}.${position.gid}`;
}

/** Parses a client's cursor; malformed is INVALID_ARGUMENT naming where it came from. */
export function decodeCursor(cursor: string, field: string): LogPosition {
  const match = CURSOR.exec(cursor.trim());
  const tx = match ? BigInt(match[1]) : -1n;
  const gid = match ? Number(match[2]) : -1;
  if (!match || tx > MAX_XID8 || !Number.isSafeInteger(gid)) {
    throw invalidArgument(field, 'not a stream cursor: use the `id` of an event this stream sent (`<tx>.<gid>`)');
  }
  return { tx: tx.toString(), gid };
}

/** Log order: by transaction, then position. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  const tx = BigInt(a.tx) - BigInt(b.tx);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  return a.gid - b.gid;
}
