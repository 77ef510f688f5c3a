import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { TIME_RANGE } from '../../kernel/limits.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (formats as unknown as { default: typeof formats }).default ?? formats;

const MIN_TIME = Date.parse(TIME_RANGE.min);
const MAX_TIME = Date.parse(TIME_RANGE.max);

/**
 * RFC 3339 as ajv-formats reads it, and also a time the code can hold: JavaScript's Date refuses
 * a leap second (`23:59:60Z`, "Invalid time value"), and PostgreSQL's timestamptz refuses year
 * 0000, so a time is kept only inside TIME_RANGE once converted to UTC.
 */
function storableDateTime(rfc3339: (value: string) => boolean) {
  return (value: string): boolean => {
    if (!rfc3339(value)) return false;
    const ms = Date.parse(value);
    return ms >= MIN_TIME && ms <= MAX_TIME;
  };
}

/**
 * The one Ajv of the API layer: every surface's validator (bodies, query strings, path params,
 * voice stream messages) and the ingest surface's content formats are compiled by an instance
 * from here, so a format means the same everywhere.
 */
export function makeAjv(options: { coerceTypes: false | 'array'; useDefaults: boolean }): Ajv {
  // removeAdditional stays off: an unknown field is an error, never silently dropped (API-FACTS).
  const ajv = new Ajv({ allErrors: false, coerceTypes: options.coerceTypes, useDefaults: options.useDefaults, removeAdditional: false, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const rfc3339 = ajv.formats['date-time'] as { validate: (value: string) => boolean } | undefined;
  if (!rfc3339?.validate) throw new Error('ajv-formats has no date-time format');
  ajv.addFormat('date-time', { type: 'string', validate: storableDateTime(rfc3339.validate) });
  return ajv;
}

/** The message of a refused time, in every surface's words. */
export const TIME_DESCRIPTION = `must be an RFC 3339 time from ${TIME_RANGE.min} to ${TIME_RANGE.max} (no leap second)`;
