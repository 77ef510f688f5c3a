import { invalidArgument } from '../../kernel/errors.ts';
import { INGEST_ID_PREFIXES } from '../../core/resource-names.ts';

/**
 * Parsing this surface's wire ids (`conv_…`, `prompt_…`; rendered by core's ingestId).
 * The vendor shows no prefix for webhook endpoints, so those are the bare 24-hex id.
 */
type Kind = keyof typeof INGEST_ID_PREFIXES;

export function wireIdPattern(kind: Kind): string {
  return `^${INGEST_ID_PREFIXES[kind]}[a-f0-9]{24}$`;
}

/** Parses a wire id back; anything else is a VALIDATION_ERROR naming the field. */
export function parseWireId(kind: Kind, value: string, field: string): string {
  const prefix = INGEST_ID_PREFIXES[kind];
  const id = value.startsWith(prefix) ? value.slice(prefix.length) : '';
  if (!/^[a-f0-9]{24}$/.test(id)) throw invalidArgument(field, `must be ${prefix} followed by 24 lowercase hex characters`);
  return id;
}
