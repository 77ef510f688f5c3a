import { invalidArgument } from '../../core/errors.ts';

/**
 * Wire ids of this surface: Parley's 24-hex id behind the vendor's prefix (`conv_…`, `prompt_…`).
 * The vendor shows no prefix for webhook endpoints, so those are the bare 24-hex id.
 */
export const WIRE_PREFIXES = { conversation: 'conv_', prompt: 'prompt_' } as const;
type Kind = keyof typeof WIRE_PREFIXES;

export const wireId = (kind: Kind, id: string) => `${WIRE_PREFIXES[kind]}${id}`;

export function wireIdPattern(kind: Kind): string {
  return `^${WIRE_PREFIXES[kind]}[a-f0-9]{24}$`;
}

/** Parses a wire id back; anything else is a VALIDATION_ERROR naming the field. */
export function parseWireId(kind: Kind, value: string, field: string): string {
  const prefix = WIRE_PREFIXES[kind];
  const id = value.startsWith(prefix) ? value.slice(prefix.length) : '';
  if (!/^[a-f0-9]{24}$/.test(id)) throw invalidArgument(field, `must be ${prefix} followed by 24 lowercase hex characters`);
  return id;
}
