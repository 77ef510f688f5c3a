import type { FastifyError, FastifyRequest } from 'fastify';
import { ParleyError, type ErrorCode } from '../../kernel/errors.ts';
import { toParleyError, type ErrorRenderer } from '../kit/errors.ts';

/**
 * Core code → Amigo's status: validation is 422 (FastAPI's), a state that refuses the request
 * (a finished conversation, no interaction yet) is 400, conflicts 409 [vendor].
 */
export const AGENT_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 422,
  OUT_OF_RANGE: 422,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  PAYLOAD_TOO_LARGE: 413,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/**
 * `{"detail": "<message>"}` [Parley]: always a string, because Amigo's SDK shows the body's
 * `message`, `error` or `detail` only when it is one (FastAPI's list of validation errors shows
 * as "[object Object]"). Every field violation is named in it.
 */
export function renderAgentError(error: ParleyError) {
  const violations = error.details.fieldViolations ?? [];
  const detail = violations.length > 1 ? violations.map((v) => `${v.field}: ${v.description}`).join('; ') : error.message;
  // Amigo's statuses for an upload: audio it cannot read (415), a body stream that stopped (408).
  const status = error.details.unsupportedMediaType ? 415 : error.details.bodyTimedOut ? 408 : AGENT_STATUS[error.code];
  return { status, body: { detail } };
}

/**
 * A body of a type no route here reads is 415, as Amigo answers an unsupported audio type
 * [vendor], not the kit's 422 "send application/json": Amigo's SDK sends a voice interaction as
 * the raw recording with its Blob's type (or none), and JSON would not be the fix.
 */
function normaliseAgentError(thrown: unknown, request: FastifyRequest): ParleyError {
  if ((thrown as FastifyError)?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = request.headers['content-type'];
    const what = type ? `unsupported Content-Type ${type}` : 'a body without a Content-Type';
    return new ParleyError('INVALID_ARGUMENT', `${what}: bodies here are application/json; an interaction is multipart/form-data (text) or the recording itself (voice)`, {
      unsupportedMediaType: true,
    });
  }
  return toParleyError(thrown, request);
}

export const agentErrors: ErrorRenderer = { normalise: normaliseAgentError, render: renderAgentError };
