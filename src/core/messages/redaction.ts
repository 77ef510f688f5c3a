import { invalidArgument } from '../../kernel/errors.ts';
import type { Json } from '../../kernel/types.ts';

/**
 * Replaces the UTF-8 byte range [startIndex, endIndex) of `text` with one `*` per character.
 * Offsets must fall on character boundaries. Returns the new text and the removed substring.
 */
export function redactByteRange(text: string, startIndex: number, endIndex: number): { text: string; removed: string } {
  const bytes = Buffer.from(text, 'utf8');
  if (!Number.isInteger(startIndex) || startIndex < 0) throw invalidArgument('startIndex', 'must be a non-negative integer');
  if (!Number.isInteger(endIndex) || endIndex <= startIndex) throw invalidArgument('endIndex', 'must be greater than startIndex');
  if (endIndex > bytes.length) throw invalidArgument('endIndex', `is past the end of the text (${bytes.length} bytes)`);
  const before = bytes.subarray(0, startIndex).toString('utf8');
  const removed = bytes.subarray(startIndex, endIndex).toString('utf8');
  const after = bytes.subarray(endIndex).toString('utf8');
  if (Buffer.byteLength(before) !== startIndex || Buffer.byteLength(before + removed) !== endIndex || before + removed + after !== text) {
    throw invalidArgument('startIndex', 'the byte range must start and end on UTF-8 character boundaries');
  }
  const stars = '*'.repeat([...removed].length);
  return { text: before + stars + after, removed };
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Masks every occurrence of `removed` (and its HTML-escaped form) in a string. */
export function maskOccurrences(value: string, removed: string): string {
  const stars = '*'.repeat([...removed].length);
  let out = value.split(removed).join(stars);
  const escaped = escapeHtml(removed);
  if (escaped !== removed) out = out.split(escaped).join(stars);
  return out;
}

/** Masks `removed` inside every string of a JSON value, so copies of the text (original event data) go too. */
export function maskInJson<T extends Json>(value: T, removed: string): T {
  if (typeof value === 'string') return maskOccurrences(value, removed) as T;
  if (Array.isArray(value)) return value.map((v) => maskInJson(v, removed)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskInJson(v, removed)])) as T;
  }
  return value;
}
