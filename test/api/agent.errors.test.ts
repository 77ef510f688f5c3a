import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { ERROR_CODES, ParleyError, type ErrorCode } from '../../src/kernel/errors.ts';
import { errorHandler } from '../../src/api/kit/errors.ts';
import { agentErrors } from '../../src/api/agent/errors.ts';

// Amigo's statuses, written out so that a wrong entry in the surface's table cannot agree with itself.
const AMIGO: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 422, OUT_OF_RANGE: 422, FAILED_PRECONDITION: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405, ALREADY_EXISTS: 409, ABORTED: 409, PAYLOAD_TOO_LARGE: 413, RESOURCE_EXHAUSTED: 429, INTERNAL: 500, UNAVAILABLE: 503,
};

describe('error catalogue on the agent surface', () => {
  it('sends every code as {"detail": "<message>"} with Amigo\'s status, Retry-After and Allow where the error has them', async () => {
    const codes = Object.keys(ERROR_CODES) as ErrorCode[];
    assert.deepEqual([...codes].sort(), Object.keys(AMIGO).sort());
    const app = Fastify();
    app.setErrorHandler(errorHandler(agentErrors));
    for (const code of codes) {
      app.get(`/${code}`, async () => {
        throw new ParleyError(code, `a ${code} happened`, code === 'RESOURCE_EXHAUSTED' ? { retryAfterSeconds: 3 } : code === 'METHOD_NOT_ALLOWED' ? { allow: ['GET'] } : {});
      });
    }
    try {
      for (const code of codes) {
        const res = await app.inject({ method: 'GET', url: `/${code}` });
        assert.equal(res.statusCode, AMIGO[code], code);
        assert.deepEqual(res.json(), { detail: `a ${code} happened` }, code);
      }
      assert.equal((await app.inject({ url: '/RESOURCE_EXHAUSTED' })).headers['retry-after'], '3');
      assert.equal((await app.inject({ url: '/METHOD_NOT_ALLOWED' })).headers.allow, 'GET');
    } finally {
      await app.close();
    }
  });

  it('names every field that failed in the one detail string (the SDK shows a list as "[object Object]")', async () => {
    const error = new ParleyError('INVALID_ARGUMENT', 'limit: too big', {
      fieldViolations: [{ field: 'limit', description: 'too big' }, { field: 'sort_by', description: 'unknown key' }],
    });
    assert.deepEqual(agentErrors.render(error, {} as never), { status: 422, body: { detail: 'limit: too big; sort_by: unknown key' } });
  });
});
