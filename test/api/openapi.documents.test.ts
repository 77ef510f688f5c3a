import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { rewriteCustomMethod } from '../../src/api/kit/google/custom-methods.ts';
import type { Document, Operation, SecurityScheme } from '../../src/api/kit/openapi/types.ts';
import { useTestApp } from '../helpers/app.ts';

/*
 * The OpenAPI documents (issue 13): valid OpenAPI 3.1, every registered route in the whole
 * document and each surface's in its own, operationIds unique and in each vendor's style, named
 * schemas shared by requests and responses, and the key forms each surface really accepts.
 */

const HOST = 'parley.example:8443';
const SURFACES = ['conversations', 'voice', 'ingest', 'agent', 'support'];
/** Routes outside every surface: no key, but /metrics (KEYED_OUTSIDE). */
const OUTSIDE = ['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /openapi/{surface}.json', 'GET /metrics'];
/** Routes outside every surface that take a key: any surface's `Authorization: Bearer <key>`. */
const KEYED_OUTSIDE = ['GET /metrics'];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

interface Op {
  key: string;
  method: string;
  path: string;
  operation: Operation;
}

function operations(doc: Document): Op[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, operation })));
}

/** A request path that the operation's route serves: every parameter `x`, custom methods rewritten as the server does. */
const sampleUrl = (path: string) => rewriteCustomMethod(path.replace(/\{[^}]+\}/g, 'x'));

/** Every `$ref` in a value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refs(item, out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') out.push(item);
      else refs(item, out);
    }
  }
  return out;
}

/** The request headers that present `key` in a scheme's form. */
function presented(scheme: SecurityScheme, key: string): Record<string, string> {
  if (scheme.type === 'apiKey') return { [scheme.name]: key };
  return { authorization: `${scheme.scheme === 'bearer' ? 'Bearer' : scheme.scheme} ${key}` };
}

describe('OpenAPI documents', () => {
  const ctx = useTestApp('pglite');
  let whole: Document;
  const bySurface: Record<string, Document> = {};

  before(async () => {
    const res = await ctx.app.inject({ url: '/openapi.json', headers: { host: HOST } });
    assert.equal(res.statusCode, 200);
    whole = res.json();
    for (const name of SURFACES) {
      const one = await ctx.app.inject({ url: `/openapi/${name}.json`, headers: { host: HOST } });
      assert.equal(one.statusCode, 200, `/openapi/${name}.json`);
      bySurface[name] = one.json();
    }
  });

  it('are valid OpenAPI 3.1 documents whose every $ref resolves (swagger-parser)', async () => {
    for (const [name, doc] of [['whole', whole], ...Object.entries(bySurface)] as const) {
      assert.equal(doc.openapi, '3.1.0', name);
      await SwaggerParser.validate(structuredClone(doc) as never);
      for (const ref of refs(doc)) {
        const target = ref.replace(/^#\/components\/schemas\//, '');
        assert.ok(ref.startsWith('#/components/schemas/') && target in doc.components.schemas, `${name}: ${ref} resolves`);
      }
      for (const { key, path, operation } of operations(doc)) {
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
        const template = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
        assert.deepEqual(declared, template, `${name}: ${key} declares exactly its template parameters`);
      }
    }
  });

  it('the whole document lists every route Fastify registered, and nothing else', () => {
    // The interactive docs' own routes (/docs, its assets) and the console's static files (/console) are the only ones left out.
    const docsUi = (pattern: RegExp) => /^\^\/(docs|console)\b/.test(pattern.source.replace(/\\\//g, '/'));
    const registered = ctx.app.parleyRouting!.routes.filter((r) => r.method !== 'HEAD' && !docsUi(r.pattern));
    const documented = operations(whole);
    for (const route of registered) {
      const found = documented.filter((op) => op.method === route.method && route.pattern.test(sampleUrl(op.path)));
      assert.ok(found.length > 0, `route ${route.method} ${route.pattern} is in /openapi.json`);
    }
    assert.equal(documented.length, registered.length, 'one operation per registered route');
    for (const op of documented) {
      assert.ok(registered.some((r) => r.method === op.method && r.pattern.test(sampleUrl(op.path))), `${op.key} is a registered route`);
    }
    for (const key of OUTSIDE) assert.ok(documented.some((op) => op.key === key), `${key} is documented`);
  });

  it("each surface's document holds exactly that surface's routes, with the whole document's operationIds", () => {
    const all = new Map(operations(whole).map((op) => [op.key, op]));
    const seen = new Set<string>();
    const belongs: Record<string, (path: string) => boolean> = {
      conversations: (p) => p.startsWith('/v1/customers/') && !p.endsWith('/audio'),
      voice: (p) => p.startsWith('/v1/voicecallsession/') || (p.startsWith('/v1/customers/') && p.endsWith('/audio')),
      ingest: (p) => p.startsWith('/api/v1/'),
      agent: (p) => p.startsWith('/v1/{organization}/'),
      support: (p) => p.startsWith('/external/'),
    };
    for (const [name, doc] of Object.entries(bySurface)) {
      const ops = operations(doc);
      assert.ok(ops.length > 0, name);
      for (const op of ops) {
        assert.ok(belongs[name](op.path), `${op.key} belongs to ${name}`);
        assert.equal(all.get(op.key)?.operation.operationId, op.operation.operationId, `${name}: ${op.key} is in the whole document`);
        assert.ok(!seen.has(op.key), `${op.key} is in one surface's document only`);
        seen.add(op.key);
      }
    }
    const rest = [...all.keys()].filter((key) => !seen.has(key)).sort();
    assert.deepEqual(rest, [...OUTSIDE].sort(), 'every other operation is in some surface document');
  });

  it('gives every operation a unique operationId in its vendor\'s style', () => {
    const ops = operations(whole);
    const ids = ops.map((op) => op.operation.operationId);
    assert.deepEqual(ops.filter((op) => !op.operation.operationId).map((op) => op.key), [], 'operations without an operationId');
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    const style: Record<string, RegExp> = {
      // Parley's own agents are a second service on the same surface, in the same style.
      conversations: /^(ConversationService|AgentService)_[A-Z][A-Za-z]+[0-9]?$/,
      voice: /^VoiceCallSessionService_[A-Z][A-Za-z]+$/,
      ingest: /^[a-z][A-Za-z]+$/,
      agent: /^[a-z]+(-[a-z]+)+$/,
      // raia's NestJS names; Parley's own state routes in the same style.
      support: /^ExternalApi[A-Za-z]+Controller_[a-z][A-Za-z]+$/,
    };
    for (const [name, doc] of Object.entries(bySurface)) {
      for (const op of operations(doc)) assert.match(op.operation.operationId!, style[name], op.key);
    }
    const byKey = new Map(ops.map((op) => [op.key, op.operation.operationId]));
    const profile = '/v1/customers/{customer}/profiles/{profile}';
    assert.equal(byKey.get(`GET ${profile}/conversations/{conversation}`), 'ConversationService_GetConversation');
    assert.equal(byKey.get(`POST ${profile}/conversations/{conversation}:start`), 'ConversationService_StartConversation');
    assert.equal(byKey.get(`POST ${profile}/agents/{agent}:release`), 'AgentService_ReleaseAgent');
    assert.equal(byKey.get(`GET ${profile}/agents/{agent}/knowledge:search`), 'AgentService_SearchKnowledge');
    assert.equal(byKey.get('POST /v1/voicecallsession/customers/{customer}/profiles/{profile}/sessionEvent:process'), 'VoiceCallSessionService_ProcessSessionEvent');
    assert.equal(byKey.get('POST /api/v1/conversations'), 'createConversation');
    assert.equal(byKey.get('POST /api/v1/conversations/{id}/messages'), 'appendMessages');
  });

  it('names the schemas that requests and responses share instead of repeating them inline', () => {
    const conversations = bySurface.conversations;
    const start = conversations.paths['/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}:start'].post;
    assert.deepEqual(start.requestBody?.content['application/json'].schema, { $ref: '#/components/schemas/ConversationInput' });
    assert.deepEqual(start.responses['200'].content?.['application/json'].schema, { $ref: '#/components/schemas/Conversation' });
    assert.deepEqual(start.responses['404'].content?.['application/json'].schema, { $ref: '#/components/schemas/Status' });
    const schemas = conversations.components.schemas as Record<string, { properties: Record<string, { items?: unknown }> }>;
    for (const name of ['Conversation', 'ConversationInput']) {
      assert.deepEqual(schemas[name].properties.participants.items, { $ref: '#/components/schemas/Participant' }, `${name}.participants`);
      assert.deepEqual(schemas[name].properties.platformInfo, { $ref: '#/components/schemas/PlatformInfo' }, `${name}.platformInfo`);
    }
    for (const [name, doc] of [['whole', whole], ...Object.entries(bySurface)] as const) {
      assert.doesNotMatch(JSON.stringify(doc.paths), /"agentInfo"|"sequencePosition"|"promptId":\{"anyOf"/, `${name}: no inline copy of a named schema`);
    }

    const ingest = bySurface.ingest;
    const get = ingest.paths['/api/v1/conversations/{id}'].get;
    assert.deepEqual(get.responses['200'].content?.['application/json'].schema, { $ref: '#/components/schemas/Conversation' });
    const conversation = ingest.components.schemas.Conversation as { properties: { messages: { items: unknown } } };
    assert.deepEqual(conversation.properties.messages.items, { $ref: '#/components/schemas/Message' });
    // In the whole document the vendors' names meet: the ingest ones carry its prefix.
    const create = whole.paths['/api/v1/conversations'].post;
    assert.deepEqual(create.requestBody?.content['application/json'].schema, { $ref: '#/components/schemas/IngestCreateConversationRequest' });
    assert.ok('Conversation' in whole.components.schemas && 'IngestConversation' in whole.components.schemas);
  });

  it('declares the key forms each surface really accepts, and no key on health and documents', async () => {
    // The support surface takes only a key narrowed to an agent, and refuses every other with 403 (raia's).
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, { name: 'Probe' });
    const narrowed = (await ctx.core.apiKeys.create({ customerId: 'acme', agentId: agent.id })).secret;
    const keyFor = (name: string) => (name === 'support' ? narrowed : ctx.a.key);
    const refusal = (name: string) => (name === 'support' ? 403 : 401);
    const every = Object.assign({}, ...Object.values(bySurface).map((doc) => doc.components.securitySchemes)) as Record<string, SecurityScheme>;
    const probes: Record<string, string> = {
      conversations: '/v1/customers/acme/profiles/default/conversations/absent',
      voice: '/v1/customers/acme/profiles/default/conversations/absent/audio',
      ingest: '/api/v1/prompts',
      agent: '/v1/acme/conversation/',
      support: '/external/conversations',
    };
    for (const [name, doc] of Object.entries(bySurface)) {
      const schemes = doc.components.securitySchemes;
      assert.deepEqual(doc.security, Object.keys(schemes).map((scheme) => ({ [scheme]: [] })), `${name}: document security`);
      for (const op of operations(doc)) {
        // The agent surface's sign-in takes its key in its own headers, and gives the bearer; a
        // message-source link is its own credential (signed, expiring).
        const anonymous = ['POST /v1/{organization}/user/signin_with_api_key', 'GET /v1/{organization}/conversation/{conversation_id}/messages/{message_id}/source/recording'];
        const expected: unknown = anonymous.includes(op.key) ? [] : doc.security;
        assert.deepEqual(op.operation.security, expected, `${name}: ${op.key}`);
      }
      for (const [scheme, definition] of Object.entries(every)) {
        const res = await ctx.app.inject({ url: probes[name], headers: presented(definition, keyFor(name)) });
        if (scheme in schemes) assert.notEqual(res.statusCode, refusal(name), `${name} accepts ${scheme}: ${res.body}`);
        else assert.equal(res.statusCode, refusal(name), `${name} refuses ${scheme}`);
      }
    }
    assert.deepEqual(Object.keys(bySurface.ingest.components.securitySchemes), ['bearer']);
    assert.deepEqual(bySurface.ingest.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <Parley API key>' });
    for (const op of operations(whole).filter((o) => o.path.startsWith('/api/v1/'))) assert.deepEqual(op.operation.security, [{ bearer: [] }], op.key);
    for (const op of operations(whole).filter((o) => OUTSIDE.includes(o.key))) {
      assert.deepEqual(op.operation.security, KEYED_OUTSIDE.includes(op.key) ? [{ bearer: [] }] : [], op.key);
    }
  });

  it("has a servers entry for the address it was fetched from, and a description of what exists", () => {
    for (const doc of [whole, ...Object.values(bySurface)]) assert.deepEqual(doc.servers?.map((s) => s.url), [`http://${HOST}`]);
    for (const name of SURFACES) {
      assert.match(whole.info.description, new RegExp(`\`${name}\`.*/openapi/${name}\\.json`), name);
      const authentication = name === 'support' ? /Authentication: `Agent-Secret-Key: <key>`/ : /Authentication: `Authorization: Bearer <key>`/;
      assert.match(bySurface[name].info.description, authentication, name);
    }
    assert.match(whole.info.description, /`X-API-Key: <key>`/);
    assert.match(whole.info.description, /`\/healthz`, `\/readyz`/);
  });

  it('documents the WebSocket form of the voice streams, which refuses a GET without the upgrade in the surface\'s shape', async () => {
    for (const path of ['/v1/voicecallsession/streamCallSession', '/v1/voicecallsession/streamCallSessionAudio']) {
      const get = bySurface.voice.paths[path].get as Operation & { 'x-websocket'?: { client: { schema: unknown } } };
      assert.ok(get.responses['101'], `${path}: 101 Switching Protocols`);
      assert.ok(get.parameters?.some((p) => p.in === 'header' && p.name === 'Upgrade' && p.required), `${path}: Upgrade header`);
      assert.match(String((get['x-websocket']?.client.schema as { $ref?: string }).$ref), /StreamCallSession(Audio)?Request$/);
      const post = bySurface.voice.paths[path].post;
      assert.ok(post.requestBody?.content['application/x-ndjson'], `${path}: NDJSON request stream`);
      const plain = await ctx.app.inject({ url: path, headers: ctx.a.auth });
      assert.equal(plain.statusCode, 400, plain.body);
      assert.equal(plain.json().code, 9, 'FAILED_PRECONDITION as a google.rpc.Status');
    }
  });

  it('answers an unknown surface document with 404', async () => {
    const res = await ctx.app.inject({ url: '/openapi/nope.json' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().message, /conversations, voice, ingest/);
  });
});
