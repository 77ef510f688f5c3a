import { ParleyError } from '../kernel/errors.ts';

/** SQLSTATE → canonical code; the same for node-postgres and PGlite, which both expose `code`. */
const SQLSTATE_CODES: Record<string, ParleyError['code']> = {
  '23505': 'ALREADY_EXISTS', // unique_violation
  '23503': 'FAILED_PRECONDITION', // foreign_key_violation
  '23514': 'INVALID_ARGUMENT', // check_violation
  '22001': 'INVALID_ARGUMENT', // string_data_right_truncation
  '22003': 'OUT_OF_RANGE', // numeric_value_out_of_range
  '40001': 'ABORTED', // serialization_failure
  '40P01': 'ABORTED', // deadlock_detected
  '57014': 'UNAVAILABLE', // query_canceled
  '53300': 'UNAVAILABLE', // too_many_connections
};

/**
 * The SQLSTATE of an error the database server sent (node-postgres' and PGlite's DatabaseError both
 * carry `code` and `severity`); undefined for anything else, such as a lost connection, whose
 * five-letter `code` (EPIPE) would otherwise pass for one.
 */
export function sqlState(err: unknown): string | undefined {
  const { code, severity } = (err ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Wraps a database error in a ParleyError, keeping the original as `cause`. */
export function fromDatabaseError(err: unknown, message = 'database error'): ParleyError {
  if (err instanceof ParleyError) return err;
  const state = sqlState(err);
  const code = (state ? SQLSTATE_CODES[state] : undefined) ?? 'INTERNAL';
  return new ParleyError(code, code === 'INTERNAL' ? message : `${message} (SQLSTATE ${state})`, {}, { cause: err });
}
