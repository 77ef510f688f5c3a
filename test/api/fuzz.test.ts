import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { App } from '../../src/api/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { createConversation, createPrompt, client } from './ingest-fixtures.ts';

/*
 * Property-based fuzzing of every route in /openapi.json (issue 13): requests built from each
 * operation's schemas, then mutated (hostile strings, deep nesting, wrong types, unknown fields,
 * forged page tokens, bad paths, methods, content types and bodies). Over all of them: no 500,
 * every error in its surface's shape, no write from a refused request, and none of the other
 * tenant's data in any answer. PARLEY_FUZZ_RUNS sets the count (the suite runs 400);
 * PARLEY_FUZZ_SEED replays a run.
 */

const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 400);
const SEED = process.env.PARLEY_FUZZ_SEED === undefined ? undefined : Number(process.env.PARLEY_FUZZ_SEED);
/** The other tenant's message text: it must appear in no answer to acme's key. */
const SECRET = 'GLOBEX-SECRET-7f3a9c';
/** Tables a refused request must leave as they were. */
const TABLES = ['conversations', 'messages', 'events', 'tags', 'conversation_tags', 'idempotency_keys', 'agents', 'ingest_conversations',
  'calls', 'call_events', 'analyses', 'webhook_endpoints', 'webhook_deliveries', 'jobs'];

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
}

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema: JsonSchema }[];
  body?: JsonSchema;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Strings that broke something once, or could: the store, the clock, the router, the parser. */
const HOSTILE_STRINGS = [
  '', ' ', 'a\u0000b', '\u0000', '\ud800', '\udc00', 'x\ud83d', '😀', '%ff', '%00', '../..', 'a'.repeat(129), 'a'.repeat(5000),
  '2016-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-01:00', '+275760-09-13T00:00:00Z', '1970-01-01T00:00:00Z',
  'null', '{}', '[]', '-1', '1e309', '12.5s', '-99999999999999999999s', 'NaN', "'; DROP TABLE conversations; --",
  'customers/globex/profiles/default/conversations/globex-secret', 'conv_', 'prompt_', 'User: hi', '{"messages":[{"role":"user","content":"a\\u0000"}]}',
  '{"messages":[{"role":"user","content":"a","timestamp":"2016-12-31T23:59:60Z"}]}',
];
const HOSTILE_NUMBERS = [0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, 0.5, 10_001, 100_000];
const forgedToken = (key: unknown) => Buffer.from(JSON.stringify({ f: 'x', k: key })).toString('base64url');
const HOSTILE_TOKENS = [forgedToken(['abc']), forgedToken([-1]), forgedToken([{}]), 'not-a-token', '%ff', forgedToken(['0000-01-01T00:00:00.000000Z', '9999999999999999999', ''])];
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}{}${'}'.repeat(levels)}`;

/** The value JSON-encoded, except the deep marker, spliced in as raw text (JSON.stringify overflows on it). */
const DEEP = '\u0001deep\u0001';
const encode = (value: unknown) => JSON.stringify(value).replaceAll(JSON.stringify(DEEP), deepJson(8_000));

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.constantFrom(null, true, [], {}, DEEP, { a: DEEP }, [DEEP]),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value the schema (mostly) accepts, or now and then a hostile one. */
function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  const exact = ((): fc.Arbitrary<unknown> => {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth + 1)));
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'object': {
        if (schema.properties) {
          const entries = Object.entries(schema.properties).map(([k, s]) => [k, fromSchema(s, depth + 1)] as const);
          return fc.record(Object.fromEntries(entries), { requiredKeys: schema.required ?? [] });
        }
        const values = schema.patternProperties ? Object.values(schema.patternProperties)[0] : typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
        return fc.dictionary(fc.string({ maxLength: 8 }), fromSchema(values, depth + 1), { maxKeys: 3 });
      }
      case 'array':
        return fc.array(fromSchema(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) });
      case 'string':
        if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
        return fc.string({ maxLength: 12 });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 1000, 1000) });
      case 'number':
        return fc.double({ min: 0, max: 1, noNaN: true });
      case 'boolean':
        return fc.boolean();
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  })();
  return fc.oneof({ arbitrary: exact, weight: 6 }, { arbitrary: hostileValue, weight: 1 });
}

/** A copy of `value` with every `$ref` to a named schema replaced by that schema (none is recursive). */
function resolveRefs<T>(value: T, schemas: Record<string, unknown>): T {
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, schemas)) as T;
  if (!value || typeof value !== 'object') return value;
  const ref = (value as { $ref?: string }).$ref;
  if (ref) return resolveRefs(schemas[ref.replace('#/components/schemas/', '')], schemas) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, schemas)])) as T;
}

/** The surfaces' operations of /openapi.json with their path, query and body schemas (health and documents left out). */
function operations(doc: {
  paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>>;
  components: { schemas: Record<string, unknown> };
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/') && !path.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content?.['application/json']?.schema;
      ops.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: body && resolveRefs(body, doc.components.schemas) });
    }
  }
  return ops;
}

/** The event streams (`…events:stream`): a valid request opens a live stream, which ends only when its consumer leaves. */
const LIVE_STREAM = /:stream$/;

/**
 * The body of a response injected with payloadAsStream, read to its end; for a live stream that
 * was accepted, nothing: it is closed as soon as its headers arrive (as a client hanging up), since
 * awaiting its end would wait forever (a generated request that happened to be valid once hung the suite).
 */
async function responseBody(res: Awaited<ReturnType<App['inject']>>, url: string): Promise<string> {
  if (res.statusCode < 300 && LIVE_STREAM.test(url.split('?')[0])) {
    res.raw.res.destroy();
    return '';
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res.stream()) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Counts of every table, in one statement. */
async function rowCounts(db: { query<T>(sql: string): Promise<T[]> }): Promise<Record<string, number>> {
  const rows = await db.query<Record<string, number>>(`SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`);
  return rows[0];
}

/** The agent surface's paths: /v1/{organization}/…, every /v1 path but the Google-style surfaces'. */
const AGENT_PATH = /^\/v1\/(?!customers\/|voicecallsession)[^/?]+\//;

/** The surface's error shape for `url`, as a problem description, or undefined when it holds. */
function shapeProblem(url: string, status: number, contentType: string, body: string): string | undefined {
  if (status < 400) {
    if (contentType.startsWith('application/x-ndjson')) {
      for (const line of body.split('\n').filter(Boolean)) {
        const item = JSON.parse(line) as { result?: unknown; error?: { code?: unknown; message?: unknown; details?: unknown } };
        if (item.error && (typeof item.error.code !== 'number' || typeof item.error.message !== 'string' || !Array.isArray(item.error.details))) return `stream error line ${line}`;
      }
    }
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'error body is not JSON';
  }
  const o = parsed as Record<string, unknown>;
  if (AGENT_PATH.test(url)) {
    const ok = Object.keys(o).length === 1 && typeof o.detail === 'string';
    return ok ? undefined : 'not the agent surface\'s {"detail"}';
  }
  if (url.startsWith('/api/v1')) {
    const e = o.error as Record<string, unknown> | undefined;
    const ok = Object.keys(o).length === 1 && e && typeof e.code === 'string' && typeof e.message === 'string' && typeof e.details === 'object' && e.details !== null;
    return ok ? undefined : 'not the ingest error shape';
  }
  const ok = Object.keys(o).sort().join() === 'code,details,message' && typeof o.code === 'number' && typeof o.message === 'string' && Array.isArray(o.details);
  return ok ? undefined : 'not a google.rpc.Status';
}

describe('fuzzing every route from the OpenAPI document', () => {
  const ctx = useTestApp('pglite');
  let ops: Operation[];
  const pathValues: Record<string, string[]> = {};
  const globexIds: string[] = [];

  before(async () => {
    ops = operations((await ctx.app.inject({ url: '/openapi.json' })).json());
    const start = async (tenant: typeof ctx.a, customer: string, id: string, text: string) => {
      const base = `/v1/customers/${customer}/profiles/default/conversations/${id}`;
      assert.equal((await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: tenant.auth, payload: {} })).statusCode, 200);
      const message = await ctx.app.inject({ method: 'POST', url: `${base}/conversationMessages`, headers: tenant.auth, payload: { text } });
      assert.equal(message.statusCode, 200, message.body);
      return (message.json().name as string).split('/').pop()!;
    };
    const acmeMessage = await start(ctx.a, 'acme', 'fuzz-a', 'hello');
    const globexMessage = await start(ctx.b, 'globex', 'globex-secret', SECRET);
    const acme = client(ctx, () => ctx.a);
    const globex = client(ctx, () => ctx.b);
    const prompt = await createPrompt(acme);
    const conversation = (await createConversation(acme, { promptId: prompt, content: 'User: hi\nAssistant: hello' })).id;
    const globexPrompt = await createPrompt(globex, { content: SECRET });
    const globexConversation = (await createConversation(globex, { promptId: globexPrompt, content: `User: ${SECRET}` })).id;
    const bare = (id: string) => id.replace(/^conv_/, '');
    globexIds.push(globexPrompt, globexConversation, bare(globexConversation), globexMessage);
    Object.assign(pathValues, {
      customer: ['acme', 'acme', 'acme', 'globex'],
      organization: ['acme', 'acme', 'acme', 'globex'],
      conversation_id: [bare(conversation), bare(conversation), bare(globexConversation), '0123456789abcdef01234567'],
      profile: ['default', 'default', 'support'],
      conversation: ['fuzz-a', 'fuzz-a', 'globex-secret', 'nope'],
      message: [acmeMessage, globexMessage],
      tagId: ['t1', 'star'],
      id: [conversation, prompt, globexConversation, globexPrompt, 'conv_0123456789abcdef01234567'],
    });
  });

  it(`sends ${RUNS} mutated requests: no 500, every error in its surface's shape, no write when refused, no cross-tenant read`, async () => {
    const figures = { requests: 0, refused: 0, internal: 0, badShape: 0, refusedWrites: 0, crossTenant: 0 };
    const failures: string[] = [];

    const request = fc.integer({ min: 0, max: ops.length - 1 }).chain((index) => {
      const op = ops[index];
      const pathParams = fc.record(Object.fromEntries(op.params.filter((p) => p.in === 'path').map((p) => [p.name,
        fc.oneof({ arbitrary: fc.constantFrom(...(pathValues[p.name] ?? ['x'])), weight: 8 }, { arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter(Boolean)), weight: 1 })])));
      const query = fc.record(Object.fromEntries(op.params.filter((p) => p.in === 'query').map((p) => [p.name,
        p.name === 'pageToken' ? fc.constantFrom(...HOSTILE_TOKENS) : fromSchema(p.schema)])), { requiredKeys: [] });
      const body = op.body ? fromSchema(op.body) : fc.constant(undefined);
      const mutation = fc.constantFrom('none', 'none', 'unknown-field', 'deep', 'hostile-body', 'not-json', 'empty', 'text-plain', 'other-method', 'no-key');
      return fc.record({ op: fc.constant(op), pathParams, query, body, mutation, extra: hostileValue });
    }).map(({ op, pathParams, query, body, mutation, extra }): FuzzRequest => {
      const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const value = String((pathParams as Record<string, unknown>)[name]);
        // Hostile values that are already percent-encodings go in raw, so the router sees them.
        if (value.startsWith('%')) return value;
        // A lone surrogate has no UTF-8: send the bytes a careless client would (CESU-8).
        return /\p{Cs}/u.test(value) ? encodeURIComponent(value.replace(/\p{Cs}/gu, '')) + '%ED%A0%80' : encodeURIComponent(value);
      });
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
        for (const item of Array.isArray(v) ? v : [v]) search.append(k, typeof item === 'string' ? item : encode(item));
      }
      const url = search.size ? `${path}?${search}` : path;
      let payload: string | undefined = body === undefined ? undefined : encode(body);
      const headers: Record<string, string> = { ...ctx.a.auth, 'content-type': 'application/json' };
      let method = op.method;
      if (mutation === 'unknown-field' && body && typeof body === 'object') payload = encode({ ...body, fuzzUnknown: extra });
      if (mutation === 'deep') payload = deepJson(10_000);
      if (mutation === 'hostile-body') payload = encode(extra);
      if (mutation === 'not-json') payload = '{"a":';
      if (mutation === 'empty') payload = '';
      if (mutation === 'text-plain') headers['content-type'] = 'text/plain';
      if (mutation === 'other-method') method = ['PUT', 'DELETE', 'PATCH', 'GET', 'OPTIONS'].find((m) => m !== op.method)!;
      if (mutation === 'no-key') delete headers.authorization;
      if (payload === undefined && method !== 'GET' && method !== 'DELETE') payload = '';
      return { method, url, headers, payload: method === 'GET' || method === 'OPTIONS' ? undefined : payload };
    });

    const started = Date.now();
    await fc.assert(fc.asyncProperty(request, async (req) => {
      const before = await rowCounts(ctx.database.db);
      const res = await ctx.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, payloadAsStream: true, ...(req.payload === undefined ? {} : { payload: req.payload }) });
      const body = await responseBody(res, req.url);
      figures.requests++;
      const label = `${req.method} ${req.url.slice(0, 200)} ${String(req.payload).slice(0, 200)} → ${res.statusCode} ${body.slice(0, 300)}`;
      if (res.statusCode >= 500) {
        figures.internal++;
        failures.push(`500: ${label}`);
      }
      const problem = shapeProblem(req.url, res.statusCode, String(res.headers['content-type'] ?? ''), body);
      if (problem) {
        figures.badShape++;
        failures.push(`${problem}: ${label}`);
      }
      if (res.statusCode >= 400) {
        figures.refused++;
        const after = await rowCounts(ctx.database.db);
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          figures.refusedWrites++;
          failures.push(`refused but wrote (${JSON.stringify(before)} → ${JSON.stringify(after)}): ${label}`);
        }
      }
      if (body.includes(SECRET) || globexIds.some((id) => body.includes(id) && !req.url.includes(id))) {
        figures.crossTenant++;
        failures.push(`globex data in an answer to acme: ${label}`);
      }
    }), { numRuns: RUNS, seed: SEED, endOnFailure: true });

    console.log(`fuzz: ${JSON.stringify(figures)} over ${ops.length} operations in ${Date.now() - started} ms`);
    assert.deepEqual(failures.slice(0, 20), []);
    assert.equal(figures.requests, RUNS);
  });
});
