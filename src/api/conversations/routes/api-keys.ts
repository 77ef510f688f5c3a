import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ID_PATTERN } from '../../../kernel/ids.ts';
import { MANAGE_KEYS_SCOPE } from '../../../core/tenancy/key-management.ts';
import { RESOURCE_ID_PATTERN } from '../../../core/tenancy/tenancy.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import {
  agentFromWire, ApiKeyInput, ApiKeyResponse, apiKeyToWire, CreatedApiKeyResponse, introspectionToWire, KeyIntrospection,
  profileIdFromWire, ProfileResponse, profileToWire,
} from '../console-wire.ts';
import { Empty, ErrorResponse } from '../schemas.ts';

const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const CustomerParams = Type.Object({ customer: Type.String({ pattern: RESOURCE_ID_PATTERN.source }) }, { additionalProperties: false });
const KeyParams = Type.Object({ ...CustomerParams.properties, key: Type.String({ pattern: ID_PATTERN.source }) }, { additionalProperties: false });
const KEYS = '/customers/:customer/apiKeys';
const manage = `needs the scope \`*\` or \`${MANAGE_KEYS_SCOPE}\``;

/**
 * [Parley] The presented key, the profiles it sees, and API keys managed over HTTP (the console's
 * sign-in and key page); the rules are core/tenancy/key-management.ts's.
 */
export async function apiKeysRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // `customers/-`: the presenting key's own customer (AIP-159), which a client signing in does not know yet.
  r.get(routePath('/customers/-/apiKeys:introspect'), {
    schema: {
      tags, operationId: 'ConversationService_IntrospectApiKey',
      summary: 'IntrospectApiKey [Parley]: what the presented key is (its customer, narrowing and scopes); any valid key',
      response: { 200: KeyIntrospection, ...errors },
    },
  }, async (request) => introspectionToWire(await core.keys.introspect(request.caller)));

  r.get('/customers/:customer/profiles', {
    schema: {
      tags, operationId: 'ConversationService_ListProfiles',
      summary: 'ListProfiles [Parley]: the profiles the key sees (a narrowed key: its own), by id; any valid key',
      params: CustomerParams, response: { 200: Type.Object({ profiles: Type.Array(ProfileResponse) }), ...errors },
    },
  }, async (request) => ({ profiles: (await core.keys.profiles(request.caller, request.params.customer)).map(profileToWire) }));

  r.get(KEYS, {
    config: { permission: MANAGE_KEYS_SCOPE },
    schema: {
      tags, operationId: 'ConversationService_ListApiKeys',
      summary: `ListApiKeys [Parley]: the keys inside the caller's narrowing, revoked ones too, newest first; ${manage}`,
      params: CustomerParams,
      querystring: Type.Object({
        pageSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'default 100' })),
        pageToken: Type.Optional(Type.String({ maxLength: 4096 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ apiKeys: Type.Array(ApiKeyResponse), nextPageToken: Type.String() }), ...errors },
    },
  }, async (request) => {
    const page = await core.keys.list(request.caller, request.params.customer, { pageSize: request.query.pageSize || 100, pageToken: request.query.pageToken });
    return { apiKeys: page.keys.map(apiKeyToWire), nextPageToken: page.nextPageToken };
  });

  r.post(KEYS, {
    config: { permission: MANAGE_KEYS_SCOPE },
    schema: {
      tags, operationId: 'ConversationService_CreateApiKey',
      summary: "CreateApiKey [Parley]: a key no wider than the caller's (its narrowing and scopes, which are the defaults); the secret is in this answer only; " + manage,
      params: CustomerParams, body: ApiKeyInput, response: { 200: CreatedApiKeyResponse, ...errors },
    },
  }, async (request) => {
    const { customer } = request.params;
    const body = request.body;
    // "" is how an answer renders "not narrowed": sent back, it asks for the default.
    const agent = body.agent ? agentFromWire(body.agent, { customerId: customer }, 'agent') : undefined;
    const { key, secret } = await core.keys.create(request.caller, customer, {
      displayName: body.displayName,
      profileId: body.profile ? profileIdFromWire(body.profile, customer, 'profile') : undefined,
      agentId: agent?.agentId, agentProfileId: agent?.profileId,
      scopes: body.scopes,
    });
    return { ...apiKeyToWire(key), secret };
  });

  r.delete(`${KEYS}/:key`, {
    config: { permission: MANAGE_KEYS_SCOPE },
    schema: {
      tags, operationId: 'ConversationService_DeleteApiKey',
      summary: `DeleteApiKey [Parley]: revokes a key inside the caller's narrowing whose scopes the caller holds (idempotent); ${manage}`,
      params: KeyParams, response: { 200: Empty, ...errors },
    },
  }, async (request) => {
    await core.keys.revoke(request.caller, request.params.customer, request.params.key);
    return {};
  });
}
