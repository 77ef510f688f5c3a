import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ParleyError } from '../../kernel/errors.ts';
import type { Core } from '../../core/index.ts';
import { RATE_LIMIT_WINDOW_MS } from '../../core/ingest/rate-limit.ts';

type Incr = (err: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * @fastify/rate-limit over the database: the count lives in `rate_limit_counters`, not in this
 * process, so N server processes enforce one limit per key. Keyed by the API key, after
 * authentication (an invalid key is 401, never 429).
 */
export async function registerRateLimit(app: FastifyInstance, core: Core): Promise<void> {
  const limiter = core.ingestRateLimit;
  class DatabaseStore {
    incr(key: string, done: Incr): void {
      const [customerId, keyId] = JSON.parse(key) as [string, string];
      limiter.hit({ customerId, keyId, profileId: null, agentId: null, scopes: [] })
        .then(({ current, ttlMs }) => done(null, { current, ttl: ttlMs }), (err: Error) => done(err));
    }

    child(): DatabaseStore {
      return this;
    }
  }
  await app.register(rateLimit, {
    // Route-level onRequest hooks run after the surface's own, so authentication has run.
    hook: 'onRequest',
    max: limiter.perMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    enableDraftSpec: true,
    store: DatabaseStore,
    keyGenerator: (request: FastifyRequest) => JSON.stringify([request.caller.customerId, request.caller.keyId]),
    errorResponseBuilder: (_request, context) => new ParleyError(
      'RESOURCE_EXHAUSTED',
      `Rate limit of ${context.max} requests a minute for this API key exceeded; retry in ${context.after}`,
      { retryAfterSeconds: Math.ceil(context.ttl / 1000), limit: { name: 'requestsPerMinute', max: context.max } },
    ),
  });
}
