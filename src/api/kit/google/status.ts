import { ERROR_CODES, type ParleyError } from '../../../kernel/errors.ts';
import type { ErrorRenderer } from '../errors.ts';

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

/** The error shape of the Cresta surfaces (conversations, voice): the core's HTTP status, a google.rpc.Status body. */
export const googleRpcErrors: ErrorRenderer = {
  render: (error, request) => ({ status: error.httpStatus, body: renderStatus(error, request.id) }),
};
