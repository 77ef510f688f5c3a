import type { FastifyError, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { ParleyError, type ErrorCode } from '../../kernel/errors.ts';
import { toParleyError, type ErrorRenderer } from '../kit/errors.ts';
import { fieldPath } from '../kit/validation.ts';

/** Core code → this surface's code and status (Converra's names; FORBIDDEN and UNAVAILABLE are Parley's). */
export const WIRE_ERRORS: Record<ErrorCode, { code: string; status: number }> = {
  INVALID_ARGUMENT: { code: 'VALIDATION_ERROR', status: 400 },
  OUT_OF_RANGE: { code: 'VALIDATION_ERROR', status: 400 },
  // A request that the resource's current state refuses (append to a completed conversation).
  FAILED_PRECONDITION: { code: 'CONFLICT', status: 409 },
  ALREADY_EXISTS: { code: 'CONFLICT', status: 409 },
  ABORTED: { code: 'CONFLICT', status: 409 },
  UNAUTHENTICATED: { code: 'UNAUTHORIZED', status: 401 },
  PERMISSION_DENIED: { code: 'FORBIDDEN', status: 403 },
  NOT_FOUND: { code: 'NOT_FOUND', status: 404 },
  METHOD_NOT_ALLOWED: { code: 'METHOD_NOT_ALLOWED', status: 405 },
  PAYLOAD_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', status: 413 },
  RESOURCE_EXHAUSTED: { code: 'RATE_LIMITED', status: 429 },
  INTERNAL: { code: 'INTERNAL', status: 500 },
  UNAVAILABLE: { code: 'UNAVAILABLE', status: 503 },
};

const PART_MESSAGES: Record<string, string> = {
  body: 'Invalid request body',
  querystring: 'Invalid query parameters',
  params: 'Invalid path parameters',
  headers: 'Invalid request headers',
};

/** A field violation in this surface's wording ("Required field", "Unknown field"), `prefix` before the path. */
export function ingestViolation(error: ErrorObject, prefix = ''): { field: string; description: string } {
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  const description = params.missingProperty ? 'Required field'
    : params.additionalProperty ? 'Unknown field'
    : params.allowedValues ? `must be one of ${params.allowedValues.join(', ')}`
    : (error.message ?? 'is invalid');
  return { field: fieldPath(error, prefix) || 'body', description };
}

/** Fastify's own failures (schema validation, body limit) in core terms, with this surface's wording. */
function normalise(thrown: unknown, request: FastifyRequest): ParleyError {
  const err = thrown as FastifyError & { validation?: ErrorObject[]; validationContext?: string };
  if (err?.validation) {
    const violations = err.validation.map((e) => ingestViolation(e));
    return new ParleyError('INVALID_ARGUMENT', PART_MESSAGES[err.validationContext ?? 'body'] ?? 'Invalid request', { fieldViolations: violations });
  }
  if (err?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const max = request.routeOptions.bodyLimit ?? 0;
    return new ParleyError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${max} bytes`, { limit: { name: 'bodyBytes', max } });
  }
  return toParleyError(thrown, request);
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `{"error": {"code", "message", "details"}}`; VALIDATION_ERROR details map each field to its problem. */
export function renderError(error: ParleyError, request: FastifyRequest) {
  const wire = WIRE_ERRORS[error.code];
  const details: Record<string, unknown> = {};
  for (const v of error.details.fieldViolations ?? []) details[v.field] ??= v.description;
  if (error.details.limit) Object.assign(details, { limit: error.details.limit.name, max: error.details.limit.max });
  if (error.details.retryAfterSeconds !== undefined) details.retryAfterSeconds = error.details.retryAfterSeconds;
  let message = capitalised(error.message);
  if (error.code === 'UNAUTHENTICATED') {
    message = request.headers.authorization === undefined ? 'Authorization header required' : 'Invalid API key';
  }
  return { status: wire.status, body: { error: { code: wire.code, message, details } } };
}

/** The ingest surface's error shape, for the kit's error handler. */
export const ingestErrors: ErrorRenderer = { normalise, render: renderError };
