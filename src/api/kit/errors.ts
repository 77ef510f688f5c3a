import type { FastifyError, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { ParleyError } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { validationError } from './validation.ts';

/**
 * Normalises anything thrown while serving a request into a ParleyError; each surface then
 * renders it in its own vendor's shape.
 */
export function toParleyError(err: unknown, request?: FastifyRequest): ParleyError {
  if (err instanceof ParleyError) return err;
  const fe = err as FastifyError & { validation?: ErrorObject[]; validationContext?: string };
  if (fe?.validation) return validationError(fe.validation, fe.validationContext);
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ParleyError('PAYLOAD_TOO_LARGE', `request body exceeds ${LIMITS.bodyBytes} bytes`, { limit: { name: 'bodyBytes', max: LIMITS.bodyBytes } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ParleyError('INVALID_ARGUMENT', `unsupported Content-Type ${request?.headers['content-type'] ?? ''}; send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ParleyError('INVALID_ARGUMENT', 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ParleyError('INVALID_ARGUMENT', `request body is not valid JSON: ${fe.message}`);
  }
  if (err instanceof SyntaxError && (fe as { statusCode?: number }).statusCode === 400) {
    return new ParleyError('INVALID_ARGUMENT', `request body is not valid JSON: ${err.message}`);
  }
  if (fe?.statusCode === 413) return new ParleyError('PAYLOAD_TOO_LARGE', fe.message);
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new ParleyError('INVALID_ARGUMENT', fe.message);
  return new ParleyError('INTERNAL', 'internal error', {}, { cause: err });
}
