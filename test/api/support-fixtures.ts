import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { TestContext } from '../helpers/app.ts';
import { vendorSchemas, type VendorTarget } from './vendor-schemas.ts';

/**
 * raia's published OpenAPI document, read where the project keeps the vendors' documents (beside
 * the repository, never inside it), or at PARLEY_RAIA_OPENAPI. Missing is a failure, not a skip:
 * the support surface's response bodies are checked against it.
 */
export const RAIA_OPENAPI = process.env.PARLEY_RAIA_OPENAPI
  ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/vendor/raia-openapi.json');

type Schema = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> };
type VendorDocument = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** The operation whose documented response is one state while it returns them all (vendor/README.md). */
const STATES_PATH = '/external/conversations/states';

/**
 * The document as the wire is (vendor/README.md, "Known slips"): the error DTOs' `name` is a
 * string (typed `object`, its default a string), and the states operation returns an array.
 */
function patchKnownSlips(doc: VendorDocument): VendorDocument {
  for (const schema of Object.values(doc.components.schemas)) {
    const name = (schema.properties as Record<string, Schema> | undefined)?.name;
    if (name?.type === 'object' && typeof name.default === 'string') name.type = 'string';
  }
  const states = doc.paths[STATES_PATH].get.responses['200'].content!['application/json'];
  states.schema = { type: 'array', items: states.schema };
  dropDanglingRefs(doc, doc.components.schemas);
  return doc;
}

/**
 * The document refers to two schemas it never defines (DataRetentionSkillResponseDTO and
 * MsTeamsSkillResponseDTO, in its agent DTOs, which the support surface does not serve): they
 * become "anything" so the document dereferences.
 */
function dropDanglingRefs(node: unknown, defined: Record<string, Schema>): void {
  if (node === null || typeof node !== 'object') return;
  for (const value of Object.values(node)) {
    const ref = (value as Schema | null)?.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/') && !(ref.slice(21) in defined)) delete (value as Schema).$ref;
    else dropDanglingRefs(value, defined);
  }
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: null joins the types (and the enum). Walks the
 * dereferenced document, whose shared subschemas are one object each: each is converted once.
 */
function toJsonSchema(node: unknown, seen = new Set<object>()): void {
  if (node === null || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  const schema = node as Schema;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string' && !schema.allOf && !schema.anyOf && !schema.oneOf) {
      schema.type = [schema.type, 'null'];
      if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    } else {
      // No type alone to widen (an allOf around a $ref): the whole schema, or null.
      const inner = { ...schema };
      for (const key of Object.keys(schema)) delete schema[key];
      schema.anyOf = [inner, { type: 'null' }];
    }
  }
  for (const value of Object.values(schema)) toJsonSchema(value, seen);
}

let vendor: Promise<VendorDocument> | undefined;
const addFormats = (formats as unknown as { default: typeof formats }).default ?? formats;
const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

function vendorDocument(): Promise<VendorDocument> {
  assert.ok(existsSync(RAIA_OPENAPI), `raia's OpenAPI document is required for these tests and is missing at ${RAIA_OPENAPI} (set PARLEY_RAIA_OPENAPI)`);
  vendor ??= (async () => {
    const raw = patchKnownSlips(JSON.parse(readFileSync(RAIA_OPENAPI, 'utf8')) as VendorDocument);
    const doc = (await SwaggerParser.dereference(raw as never)) as unknown as VendorDocument;
    toJsonSchema(doc);
    return doc;
  })();
  return vendor;
}

export type RaiaTarget = VendorTarget;

const raia = vendorSchemas('raia', vendorDocument as () => Promise<never>, ajv);

/** Asserts a body is valid against raia's schema for it (paths as raia writes them: `/external/conversations/{id}`). */
export const assertRaiaBody = (body: unknown, target: RaiaTarget): Promise<void> => raia.assertBody(body, target);

/** The vendor's error DTO for each status it documents; the others are Parley's, in the same shape. */
const ERROR_COMPONENT: Record<number, string> = { 400: 'BadRequestErrorDTO', 403: 'ForbiddenErrorDTO', 404: 'EntityNotFoundErrorDTO' };

/** Asserts the status and raia's error body `{status, name, message, details}`; returns the body. */
export async function assertRaiaError(res: Response, status: number, label = ''): Promise<{ status: number; name: string; message: string; details: Record<string, unknown>[] }> {
  assert.equal(res.statusCode, status, `${label} ${res.body}`);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['details', 'message', 'name', 'status'], `${label} ${res.body}`);
  assert.equal(body.status, status, label);
  assert.equal(typeof body.name, 'string', label);
  assert.equal(typeof body.message, 'string', label);
  assert.ok(Array.isArray(body.details), label);
  await assertRaiaBody(body, { component: ERROR_COMPONENT[status] ?? 'BadRequestErrorDTO' });
  return body;
}

/** A Parley key narrowed to one agent of acme: raia's Agent-Secret-Key. */
export async function agentKey(ctx: TestContext, agentId: string, customerId = 'acme'): Promise<string> {
  return (await ctx.core.apiKeys.create({ customerId, agentId })).secret;
}

export type SupportCall = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object) => Promise<Response>;

/** Calls the support surface (`path` under /external) with the key as `Agent-Secret-Key`. */
export function supportCall(ctx: TestContext, key: string | (() => string)): SupportCall {
  return (method, path, payload) => ctx.app.inject({
    method, url: `/external${path}`,
    headers: { 'agent-secret-key': typeof key === 'function' ? key() : key },
    ...(payload === undefined ? {} : { payload }),
  });
}

/** An agent of the customer that answers from a small help page. */
export async function supportAgent(ctx: TestContext, customerId = 'acme', name = 'Bike shop helper'): Promise<string> {
  const agent = await ctx.core.agents.create({ customerId, profileId: null }, {
    name, instructions: 'Answer from the help pages.',
    knowledge: [{ name: 'help.md', content: '# Returns\nBikes can be returned within 30 days for a full refund.' }],
  });
  return agent.id;
}

/**
 * A conversation of the agent's with one exchange (the user's question, the agent's reply), run
 * through the core as the key's caller; its messages' ids in order.
 */
export async function agentConversation(ctx: TestContext, key: string, agentId: string, question = 'Can I return my bike?'): Promise<{ conversationId: string; messageIds: string[] }> {
  const caller = await ctx.core.apiKeys.authenticate(key);
  const turn = await ctx.core.interactions.create(caller, { agentId, initialMessage: { type: 'user-message', text: question } }, new AbortController().signal);
  let last: { kind: string } | undefined;
  for await (const event of turn.events) last = event;
  assert.equal(last?.kind, 'complete', 'the turn is persisted');
  const rows = await ctx.database.db.query<{ id: string }>(
    'SELECT id FROM messages WHERE customer_id = $1 AND conversation_id = $2 ORDER BY seq', [caller.customerId, turn.conversationId],
  );
  assert.ok(rows.length >= 2, 'a question and its answer');
  return { conversationId: turn.conversationId, messageIds: rows.map((r) => r.id) };
}
