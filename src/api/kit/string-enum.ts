import { Type } from '@sinclair/typebox';

/** A string enum rendered as `enum` (clear OpenAPI, "must be one of" errors). */
export function StringEnum<T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
