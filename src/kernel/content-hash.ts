import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * SHA-256 (hex) of a value's JSON with object keys sorted, undefined members dropped and times as
 * RFC 3339: the same content hashes the same whatever its key order. Idempotent requests compare
 * their bodies with it; the voice surface recognises a repeated call event with it.
 */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}
