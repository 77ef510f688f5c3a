import type { FastifyError, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { ParleyError, type ErrorCode } from '../../kernel/errors.ts';
import { toParleyError, type ErrorRenderer } from '../kit/errors.ts';
import { fieldPath } from '../kit/validation.ts';

/**
 * Core code → raia's status, error name and message [vendor: 400, 403, 404, 500]. A bad or
 * missing key is 403 (raia has no 401). The rest are Parley's, in the same shape.
 */
const WIRE_ERRORS: Record<ErrorCode, { status: number; name: string; message: string }> = {
  INVALID_ARGUMENT: { status: 400, name: 'BAD_REQUEST', message: 'INVALID_REQUEST' },
  OUT_OF_RANGE: { status: 400, name: 'BAD_REQUEST', message: 'INVALID_REQUEST' },
  FAILED_PRECONDITION: { status: 400, name: 'BAD_REQUEST', message: 'INVALID_REQUEST' },
  UNAUTHENTICATED: { status: 403, name: 'FORBIDDEN_ERROR', message: 'INVALID_CREDENTIALS' },
  PERMISSION_DENIED: { status: 403, name: 'FORBIDDEN_ERROR', message: 'INVALID_CREDENTIALS' },
  NOT_FOUND: { status: 404, name: 'ENTITY_NOT_FOUND_ERROR', message: 'ENTITY_NOT_FOUND' },
  METHOD_NOT_ALLOWED: { status: 405, name: 'METHOD_NOT_ALLOWED_ERROR', message: 'METHOD_NOT_ALLOWED' },
  ALREADY_EXISTS: { status: 409, name: 'CONFLICT_ERROR', message: 'CONFLICT' },
  ABORTED: { status: 409, name: 'CONFLICT_ERROR', message: 'CONFLICT' },
  PAYLOAD_TOO_LARGE: { status: 413, name: 'PAYLOAD_TOO_LARGE_ERROR', message: 'PAYLOAD_TOO_LARGE' },
  RESOURCE_EXHAUSTED: { status: 429, name: 'TOO_MANY_REQUESTS_ERROR', message: 'TOO_MANY_REQUESTS' },
  INTERNAL: { status: 500, name: 'INTERNAL_SERVER_ERROR', message: 'Internal Server Error' },
  UNAVAILABLE: { status: 503, name: 'SERVICE_UNAVAILABLE_ERROR', message: 'SERVICE_UNAVAILABLE' },
};

/**
 * A refusal whose vendor message is a sentence of its own (send-manual-message's "Conversation
 * must be in manual mode and not a voice conversation."): it goes out as the body's `message`.
 */
export function vendorMessage(code: ErrorCode, message: string): ParleyError {
  return new ParleyError(code, message, { vendorMessage: true });
}

/** Schema validation failures as field violations, each named by its dotted path. */
function normalise(thrown: unknown, request: FastifyRequest): ParleyError {
  const err = thrown as FastifyError & { validation?: ErrorObject[]; validationContext?: string };
  if (err?.validation) {
    const violations = err.validation.map((e) => {
      const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
      const description = params.missingProperty ? 'is required'
        : params.additionalProperty ? 'is not a known field'
        : params.allowedValues ? `must be one of ${params.allowedValues.join(', ')}`
        : (e.message ?? 'is invalid');
      return { field: fieldPath(e) || (err.validationContext ?? 'body'), description };
    });
    return new ParleyError('INVALID_ARGUMENT', violations.map((v) => `${v.field} ${v.description}`).join('; '), { fieldViolations: violations });
  }
  return toParleyError(thrown, request);
}

/**
 * `{status, name, message, details}` [vendor]; 500 is `{status, message}` [vendor]. `details`
 * holds one `{field, message}` per field violation, or the refusal's own words.
 */
export function renderSupportError(error: ParleyError) {
  const wire = WIRE_ERRORS[error.code];
  if (error.code === 'INTERNAL') return { status: 500, body: { status: 500, message: wire.message } };
  const violations = error.details.fieldViolations ?? [];
  const details = violations.length > 0
    ? violations.map((v) => ({ field: v.field, message: v.description }))
    : error.code === 'UNAUTHENTICATED' || error.code === 'PERMISSION_DENIED' ? [] : [{ message: error.message }];
  const message = error.details.vendorMessage ? error.message : wire.message;
  return { status: wire.status, body: { status: wire.status, name: wire.name, message, details } };
}

export const supportErrors: ErrorRenderer = { normalise, render: renderSupportError };
