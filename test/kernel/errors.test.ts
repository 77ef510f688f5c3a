import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { ERROR_CODES, ParleyError, type ErrorCode } from '../../src/kernel/errors.ts';
import { errorHandler } from '../../src/api/kit/errors.ts';
import { googleRpcErrors, renderStatus } from '../../src/api/kit/google/status.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

// google.rpc.Code numbers, from google/rpc/code.proto: the wire contract, written out so that a
// wrong entry in ERROR_CODES cannot agree with itself.
const GOOGLE_RPC: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 3, NOT_FOUND: 5, METHOD_NOT_ALLOWED: 12, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16,
  // No google.rpc code of its own: the gateway reports an over-size body as RESOURCE_EXHAUSTED.
  PAYLOAD_TOO_LARGE: 8,
};
const HTTP: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400, OUT_OF_RANGE: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403,
  NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, ALREADY_EXISTS: 409, ABORTED: 409, PAYLOAD_TOO_LARGE: 413, RESOURCE_EXHAUSTED: 429, INTERNAL: 500, UNAVAILABLE: 503,
};

describe('error catalogue on the conversations surface', () => {
  it('covers exactly the documented codes', () => {
    assert.deepEqual([...CODES].sort(), Object.keys(HTTP).sort());
  });

  it('renders every code as google.rpc.Status with its numeric code', () => {
    for (const code of CODES) {
      const status = renderStatus(new ParleyError(code, `a ${code} happened`), 'req-1');
      assert.equal(status.code, GOOGLE_RPC[code], code);
      assert.equal(status.message, `a ${code} happened`);
      assert.deepEqual(status.details.at(-1), { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: 'req-1' });
    }
  });

  it('carries field violations and retry delays as google.rpc details', () => {
    const bad = renderStatus(new ParleyError('INVALID_ARGUMENT', 'x', { fieldViolations: [{ field: 'a.b', description: 'too long' }] }), 'r');
    assert.deepEqual(bad.details[0], { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'a.b', description: 'too long' }] });
    const slow = renderStatus(new ParleyError('RESOURCE_EXHAUSTED', 'x', { retryAfterSeconds: 7 }), 'r');
    assert.deepEqual(slow.details[0], { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
  });

  it('sends every code with its HTTP status through the surface error handler', async () => {
    // A real Fastify app with the surface's handler: each route throws one code.
    const app = Fastify();
    app.setErrorHandler(errorHandler(googleRpcErrors));
    for (const code of CODES) {
      app.get(`/${code}`, async () => {
        throw new ParleyError(code, code, code === 'RESOURCE_EXHAUSTED' ? { retryAfterSeconds: 3 } : {});
      });
    }
    try {
      for (const code of CODES) {
        const res = await app.inject({ method: 'GET', url: `/${code}` });
        assert.equal(res.statusCode, HTTP[code], code);
        assert.equal(res.json().code, GOOGLE_RPC[code], code);
        if (code === 'RESOURCE_EXHAUSTED') assert.equal(res.headers['retry-after'], '3');
      }
    } finally {
      await app.close();
    }
  });

  it('lists every code in the README error table with its HTTP status and google.rpc code', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of CODES) {
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${HTTP[code]}\\s*\\|\\s*${GOOGLE_RPC[code]}\\s*\\|`, 'm');
      assert.match(readme, row, `README row for ${code}`);
    }
  });
});

forEachDriver('errors through the live conversations surface', (kind) => {
  const ctx = useTestApp(kind);
  const base = '/v1/customers/acme/profiles/default/conversations';

  it('answers 400/3, 401/16 and 404/5 as google.rpc.Status', async () => {
    const bad = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload: { bogus: true } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 3);
    assert.equal(typeof bad.json().message, 'string');

    const anonymous = await ctx.app.inject({ method: 'GET', url: `${base}/nothing` });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 16);

    const badKey = await ctx.app.inject({ method: 'GET', url: `${base}/nothing`, headers: { authorization: 'Bearer pk_nope' } });
    assert.equal(badKey.statusCode, 401);
    assert.equal(badKey.json().code, 16);

    const missing = await ctx.app.inject({ method: 'GET', url: `${base}/${'0'.repeat(24)}`, headers: ctx.a.auth });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 5);

    const started = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload: {} });
    assert.equal(started.statusCode, 200, started.body);
    const acrossTenants = await ctx.app.inject({ method: 'GET', url: `/v1/${started.json().name}`, headers: ctx.b.auth });
    assert.equal(acrossTenants.statusCode, 404, 'another tenant sees NOT_FOUND, never PERMISSION_DENIED');
    assert.equal(acrossTenants.json().code, 5);

    for (const res of [bad, anonymous, missing, acrossTenants]) {
      const info = res.json().details.find((d: { '@type': string }) => d['@type'] === 'type.googleapis.com/google.rpc.RequestInfo');
      assert.equal(info.requestId, res.headers['x-request-id']);
    }
  });
});
