import { createHash } from 'node:crypto';
import { invalidArgument } from './errors.ts';

/**
 * Opaque keyset page tokens bound to the request's filter: the token carries a hash of the
 * filter it was issued for, and is refused with another one.
 */
export function filterHash(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter ?? null)).digest('base64url').slice(0, 16);
}

export function encodePageToken(filter: unknown, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify({ f: filterHash(filter), k: key })).toString('base64url');
}

export function decodePageToken(token: string | undefined, filter: unknown, field = 'pageToken'): (string | number)[] | undefined {
  if (!token) return undefined;
  let parsed: { f?: unknown; k?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument(field, 'is not a page token issued by this server');
  }
  if (!parsed || !Array.isArray(parsed.k) || typeof parsed.f !== 'string') {
    throw invalidArgument(field, 'is not a page token issued by this server');
  }
  if (parsed.f !== filterHash(filter)) {
    throw invalidArgument(field, 'was issued for a different filter or order; start again without a page token');
  }
  return parsed.k as (string | number)[];
}
