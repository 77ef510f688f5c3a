import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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

/** A surface's error shape: how a ParleyError goes on its wire. */
export interface ErrorRenderer {
  /** Fastify's own failures in this surface's wording, where it has its own; else toParleyError. */
  normalise?: (err: unknown, request: FastifyRequest) => ParleyError;
  render: (error: ParleyError, request: FastifyRequest) => { status: number; body: unknown };
}

/** A path that exists with other methods: METHOD_NOT_ALLOWED, sent with `Allow`. */
export function methodNotAllowed(request: FastifyRequest, allow: readonly string[]): ParleyError {
  const path = request.url.split('?')[0];
  return new ParleyError('METHOD_NOT_ALLOWED', `method ${request.method} is not allowed on ${path}; allowed: ${allow.join(', ')}`, { allow });
}

/**
 * How long a connection refused before its body was read keeps reading (and discarding) that
 * body after the answer, so the client finishes its write and reads the answer; past this it is
 * cut. 10 MiB at 1 MB/s fits.
 */
const LINGER_MS = 15_000;

/**
 * Node closes a `Connection: close` response's socket as soon as the answer is written; with
 * request bytes still unread the kernel then sends a reset, and the client, still writing its
 * body, loses the answer (Node's client lost a 413 29 times in 30). This socket instead closes
 * its sending side only and goes on discarding what arrives (Node's server drops an unread body)
 * until the client closes too, or LINGER_MS.
 */
function lingerOnClose(request: FastifyRequest): void {
  const socket = request.raw.socket as (Socket & { destroySoon?: () => void }) | null;
  if (!socket || socket.destroyed) return;
  socket.destroySoon = () => {
    socket.end();
    const cut = setTimeout(() => socket.destroy(), LINGER_MS);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
  };
}

/**
 * The error handler of a surface: normalise, log internal errors with their cause, send
 * `Retry-After` when the error carries one, then the surface's rendering.
 */
export function errorHandler(renderer: ErrorRenderer) {
  const normalise = renderer.normalise ?? toParleyError;
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = normalise(err, request);
    if (error.code === 'INTERNAL') request.log.error({ err: error.cause ?? err }, 'internal error');
    if (error.details.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.details.retryAfterSeconds));
    const rendered = renderer.render(error, request);
    const allow = error.details.allow as string[] | undefined;
    if (allow) reply.header('allow', allow.join(', '));
    // Fastify asks for the close when it refuses a body it has not read (too large, bad length).
    if (reply.getHeader('connection') === 'close' && !request.raw.complete) lingerOnClose(request);
    return reply.code(rendered.status).send(rendered.body);
  };
}
