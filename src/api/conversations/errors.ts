import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ParleyError } from '../../kernel/errors.ts';
import { toParleyError } from '../kit/errors.ts';

/** google.rpc.Status, as the vendor's gRPC-JSON gateway renders errors. */
export function renderStatus(error: ParleyError, requestId: string) {
  const details: Record<string, unknown>[] = [];
  if (error.details.fieldViolations?.length) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: error.details.fieldViolations });
  }
  if (error.details.retryAfterSeconds !== undefined) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${error.details.retryAfterSeconds}s` });
  }
  details.push({ '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId });
  return { code: ERROR_CODES[error.code].grpc, message: error.message, details };
}

export function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const error = toParleyError(err, request);
  if (error.code === 'INTERNAL') request.log.error({ err: error.cause ?? err }, 'internal error');
  if (error.details.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.details.retryAfterSeconds));
  return reply.code(error.httpStatus).send(renderStatus(error, request.id));
}
