import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { TestContext, TestTenant } from '../helpers/app.ts';
import { vendorSchemas, type VendorDocument, type VendorTarget } from './vendor-schemas.ts';

/**
 * Amigo's published OpenAPI document, read where the project keeps the vendors' documents (beside
 * the repository, never inside it), or at PARLEY_AMIGO_OPENAPI. Missing is a failure, not a skip:
 * the response bodies are checked against it.
 */
export const AMIGO_OPENAPI = process.env.PARLEY_AMIGO_OPENAPI
  ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/vendor/amigo-openapi.json');

let vendor: Promise<VendorDocument> | undefined;
const addFormats = (formats as unknown as { default: typeof formats }).default ?? formats;
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

function vendorDocument(): Promise<VendorDocument> {
  assert.ok(existsSync(AMIGO_OPENAPI), `Amigo's OpenAPI document is required for these tests and is missing at ${AMIGO_OPENAPI} (set PARLEY_AMIGO_OPENAPI)`);
  vendor ??= SwaggerParser.dereference(AMIGO_OPENAPI) as Promise<unknown> as Promise<VendorDocument>;
  return vendor;
}

const amigo = vendorSchemas('Amigo', vendorDocument, ajv);

/** Asserts a response body is valid against the vendor's schema for it. */
export const assertVendorBody = (body: unknown, target: VendorTarget): Promise<void> => amigo.assertBody(body, target);

/** Asserts `{"detail": "<message>"}` with the status; returns the message. */
export function assertDetail(res: Response, status: number, label = ''): string {
  assert.equal(res.statusCode, status, `${label} ${res.body}`);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['detail'], `${label} ${res.body}`);
  assert.equal(typeof body.detail, 'string', label);
  return body.detail as string;
}

export interface AgentClient {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

/** GETs under /v1/{tenant's customer id} with the given bearer (the tenant's key by default). */
export function agentClient(ctx: TestContext, tenant: () => TestTenant, bearer?: () => string): AgentClient {
  return {
    get: (path, headers = {}) => ctx.app.inject({
      method: 'GET', url: `/v1/${tenant().customerId}${path}`,
      headers: { authorization: `Bearer ${bearer ? bearer() : tenant().key}`, ...headers },
    }),
  };
}

/** The key's 24-hex id: the part of `pk_<id>_<secret>` after pk_. */
export const keyIdOf = (key: string) => key.split('_')[1];

/** Signs in as an end user; asserts success and the vendor schema. */
export async function signIn(ctx: TestContext, tenant: TestTenant, userId: string): Promise<{ id_token: string; expires_at: string }> {
  const res = await ctx.app.inject({
    method: 'POST', url: `/v1/${tenant.customerId}/user/signin_with_api_key`,
    headers: { 'x-api-key': tenant.key, 'x-api-key-id': keyIdOf(tenant.key), 'x-user-id': userId },
  });
  assert.equal(res.statusCode, 200, res.body);
  await assertVendorBody(res.json(), { path: '/v1/{organization}/user/signin_with_api_key', method: 'post', status: 200 });
  return res.json();
}
