import type { FastifyReply } from 'fastify';

/**
 * A signal aborted when the client goes away before its answer is sent, so the work it asked for
 * (an agent's turn, a model call) stops and persists nothing. It follows the response's close: the
 * request's close comes as soon as its body has been read.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller.signal;
}
