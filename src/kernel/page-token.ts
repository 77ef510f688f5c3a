import { createHash } from 'node:crypto';
import { invalidArgument } from './errors.ts';
import { ID_PATTERN } from './ids.ts';
import { TIME_RANGE } from './limits.ts';

/**
 * Opaque keyset page tokens bound to the request's filter: the token carries a hash of the
 * filter it was issued for, and is refused with another one. Tokens are not signed, so anyone
 * can forge one: its key reaches SQL only after decodePageToken has checked each part against
 * the shape the caller expects.
 */
export function filterHash(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter ?? null)).digest('base64url').slice(0, 16);
}

export type KeyValue = string | number;

/** What one part of a key must be: a named kind, or the caller's own test. */
export type KeyPart = 'int' | 'timestamp' | 'id' | ((value: unknown) => boolean);

/** A sequence position (PostgreSQL `integer`, never negative). */
const isSeq = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 31 - 1;
/** A time as Date#toISOString writes it, inside the range every wire time is held to. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isTime = (v: unknown) => typeof v === 'string' && ISO_TIME.test(v) && Date.parse(v) >= Date.parse(TIME_RANGE.min) && Date.parse(v) <= Date.parse(TIME_RANGE.max);
const isId = (v: unknown) => typeof v === 'string' && ID_PATTERN.test(v);

const KINDS = { int: isSeq, timestamp: isTime, id: isId } as const;

function accepts(part: KeyPart, value: unknown): boolean {
  return typeof part === 'function' ? part(value) : KINDS[part](value);
}

export function encodePageToken(filter: unknown, key: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify({ f: filterHash(filter), k: key })).toString('base64url');
}

/**
 * The key of a page token issued for `filter`, each part checked against `shape`; undefined
 * without a token. Anything else is INVALID_ARGUMENT on `field`.
 */
export function decodePageToken(token: string | undefined, filter: unknown, shape: readonly KeyPart[], field = 'pageToken'): KeyValue[] | undefined {
  if (!token) return undefined;
  const forged = () => invalidArgument(field, 'is not a page token issued by this server');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw forged();
  }
  if (typeof parsed !== 'object' || parsed === null) throw forged();
  const { f, k } = parsed as { f?: unknown; k?: unknown };
  if (typeof f !== 'string' || !Array.isArray(k)) throw forged();
  if (f !== filterHash(filter)) {
    throw invalidArgument(field, 'was issued for a different filter or order; start again without a page token');
  }
  if (k.length !== shape.length || !shape.every((part, i) => accepts(part, k[i]))) throw forged();
  return k as KeyValue[];
}
