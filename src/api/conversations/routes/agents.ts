import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import {
  AgentInput, AgentParams, AgentResponse, AgentVersionResponse, agentChangesFromWire, agentName, agentToWire, versionToWire,
} from '../agent-wire.ts';
import { Empty, ErrorResponse, ProfileParams } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/agents';
const tags = ['AgentService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const Page = {
  pageSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  pageToken: Type.Optional(Type.String({ maxLength: 4096 })),
};

/** Agents [Parley]: their settings, versions and release; every change makes a new version. */
export async function agentsRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(P, {
    config: { permission: 'Agent:CreateAgent' },
    schema: {
      tags, operationId: 'AgentService_CreateAgent', summary: 'CreateAgent: version 1, released', params: ProfileParams,
      body: AgentInput, response: { 200: AgentResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const scope = core.agents.scope(request.caller, customer, profile);
    if (request.body.displayName === undefined) throw invalidArgument('displayName', 'is required');
    const changes = agentChangesFromWire(request.body);
    return agentToWire(await core.agents.create(scope, { ...changes, name: changes.name ?? '' }));
  });

  r.get(P, {
    config: { permission: 'Agent:ListAgents' },
    schema: {
      tags, operationId: 'AgentService_ListAgents', summary: 'ListAgents, newest first', params: ProfileParams,
      querystring: Type.Object(Page, { additionalProperties: false }),
      response: { 200: Type.Object({ agents: Type.Array(AgentResponse), nextPageToken: Type.String() }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const page = await core.agents.listPage(core.agents.scope(request.caller, customer, profile), {
      pageSize: request.query.pageSize || 50, pageToken: request.query.pageToken,
    });
    return { agents: page.agents.map(agentToWire), nextPageToken: page.nextPageToken };
  });

  r.get(`${P}/:agent`, {
    config: { permission: 'Agent:GetAgent' },
    schema: { tags, operationId: 'AgentService_GetAgent', summary: 'GetAgent: its newest version', params: AgentParams, response: { 200: AgentResponse, ...errors } },
  }, async (request) => {
    const { customer, profile, agent } = request.params;
    return agentToWire(await core.agents.get(core.agents.scope(request.caller, customer, profile), agent));
  });

  r.patch(`${P}/:agent`, {
    config: { permission: 'Agent:UpdateAgent' },
    schema: {
      tags, operationId: 'AgentService_UpdateAgent', summary: 'UpdateAgent: the fields in updateMask (default: those in the body) as a new version; release it to use it by default',
      params: AgentParams, querystring: Type.Object({ updateMask: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) }, { additionalProperties: false }),
      body: AgentInput, response: { 200: AgentResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile, agent } = request.params;
    const scope = core.agents.scope(request.caller, customer, profile);
    const path = agentName({ customerId: customer, profileId: profile, id: agent });
    if (request.body.name !== undefined && request.body.name !== path) throw invalidArgument('agent.name', 'must match the name in the path');
    return agentToWire(await core.agents.update(scope, agent, agentChangesFromWire(request.body, request.query.updateMask)));
  });

  r.delete(`${P}/:agent`, {
    config: { permission: 'Agent:DeleteAgent' },
    schema: { tags, operationId: 'AgentService_DeleteAgent', summary: 'DeleteAgent with its versions and knowledge (conversations keep its id)', params: AgentParams, response: { 200: Empty, ...errors } },
  }, async (request) => {
    const { customer, profile, agent } = request.params;
    await core.agents.delete(core.agents.scope(request.caller, customer, profile), agent);
    return {};
  });

  r.post(routePath(`${P}/:agent:release`), {
    config: { permission: 'Agent:ReleaseAgent' },
    schema: {
      tags, operationId: 'AgentService_ReleaseAgent', summary: 'ReleaseAgent: point the release set at a version (default: the newest)', params: AgentParams,
      body: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })) }, { additionalProperties: false }),
      response: { 200: AgentResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile, agent } = request.params;
    return agentToWire(await core.agents.release(core.agents.scope(request.caller, customer, profile), agent, request.body.version));
  });

  r.get(`${P}/:agent/versions`, {
    config: { permission: 'Agent:ListAgentVersions' },
    schema: {
      tags, operationId: 'AgentService_ListAgentVersions', summary: 'ListAgentVersions, newest first', params: AgentParams,
      querystring: Type.Object(Page, { additionalProperties: false }),
      response: { 200: Type.Object({ agentVersions: Type.Array(AgentVersionResponse), nextPageToken: Type.String() }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, agent } = request.params;
    const page = await core.agents.versions(core.agents.scope(request.caller, customer, profile), agent, {
      pageSize: request.query.pageSize || 50, pageToken: request.query.pageToken,
    });
    const name = agentName({ customerId: customer, profileId: profile, id: agent });
    return { agentVersions: page.versions.map((v) => versionToWire(name, v)), nextPageToken: page.nextPageToken };
  });
}
