import assert from 'node:assert/strict';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { TestContext, TestTenant } from '../helpers/app.ts';

/** Tables the ingest surface writes beside the core ones: refused requests must change none. */
const INGEST_TABLES = ['agents', 'ingest_conversations'];

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Client {
  call(method: Method, url: string, payload?: unknown, headers?: Record<string, string>): Promise<Response>;
  get(url: string): Promise<Response>;
  post(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Requests to /api/v1 as one tenant. */
export function client(ctx: TestContext, tenant: () => TestTenant): Client {
  const call: Client['call'] = (method, url, payload, headers = {}) => ctx.app.inject({
    method, url: `/api/v1${url}`, headers: { ...tenant().auth, ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { call, get: (url) => call('GET', url), post: (url, payload, headers) => call('POST', url, payload, headers) };
}

export async function createPrompt(api: Client, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/prompts', { name: 'Support bot', content: 'You help customers.', ...fields });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

export async function createConversation(api: Client, body: Record<string, unknown>): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await api.post('/conversations', body);
  assert.equal(res.statusCode, 200, res.body);
  return { id: res.json().id as string, body: res.json() };
}

/** Row counts of the core tables and the ingest tables. */
export async function snapshot(ctx: TestContext): Promise<Record<string, number>> {
  const counts = await ctx.snapshot();
  for (const table of INGEST_TABLES) {
    const rows = await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0].n;
  }
  return counts;
}

/** Asserts the ingest error envelope. */
export function assertError(res: { statusCode: number; body: string; json(): unknown }, status: number, code: string, label = ''): { code: string; message: string; details: Record<string, unknown> } {
  assert.equal(res.statusCode, status, `${label} ${res.body}`);
  const body = res.json() as { error: { code: string; message: string; details: Record<string, unknown> } };
  assert.deepEqual(Object.keys(body), ['error'], label);
  assert.equal(body.error.code, code, label);
  assert.equal(typeof body.error.message, 'string');
  assert.equal(typeof body.error.details, 'object');
  return body.error;
}

/** The events of one conversation (by 24-hex id), oldest first. */
export async function events(ctx: TestContext, conversationId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return ctx.database.db.query(`SELECT type, payload FROM events WHERE conversation_id = $1 ORDER BY seq`, [conversationId]);
}

export const hex = (wireId: string) => wireId.replace(/^[a-z]+_/, '');

/**
 * Drains the job runner until `done()` holds. One drain can return before another test's
 * transaction on the same PostgreSQL cluster ends (the dispatcher waits for every older
 * transaction), so a drain is repeated a bounded number of times rather than trusted once.
 */
export async function drainUntil(runner: { drain(): Promise<void> }, done: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    await runner.drain();
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}: still not done after 100 drains`);
}
