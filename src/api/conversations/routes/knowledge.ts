import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AGENT_LIMITS } from '../../../core/agents/agents.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import {
  AgentParams, DocumentParams, KnowledgeDocumentInput, KnowledgeDocumentResponse, KnowledgePassageResponse, VersionQuery,
  agentName, documentToWire, passageToWire, versionFromWire,
} from '../agent-wire.ts';
import { Empty, ErrorResponse } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/agents/:agent/knowledge';
const tags = ['AgentService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/** An agent's knowledge base [Parley]: adding or deleting a document makes a new version of the agent. */
export async function knowledgeRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const scoped = (p: { customer: string; profile: string; agent: string }, caller: Parameters<typeof core.agents.scope>[0]) => ({
    scope: core.agents.scope(caller, p.customer, p.profile),
    name: agentName({ customerId: p.customer, profileId: p.profile, id: p.agent }),
  });

  r.post(P, {
    config: { permission: 'Agent:CreateKnowledgeDocument' },
    schema: {
      tags, operationId: 'AgentService_CreateKnowledgeDocument', summary: 'CreateKnowledgeDocument: add a markdown or text document (a new agent version)',
      params: AgentParams, body: KnowledgeDocumentInput,
      response: { 200: Type.Object({ ...KnowledgeDocumentResponse.properties, agentVersion: Type.Integer({ description: 'The agent version that added it' }) }), ...errors },
    },
  }, async (request) => {
    const { scope, name } = scoped(request.params, request.caller);
    const { displayName, mediaType, content } = request.body;
    const { agent, documents } = await core.knowledge.add(scope, request.params.agent, [{ name: displayName, mediaType, content }]);
    return { ...documentToWire(name, documents[0], true), agentVersion: agent.edgeVersion };
  });

  r.get(P, {
    config: { permission: 'Agent:ListKnowledgeDocuments' },
    schema: {
      tags, operationId: 'AgentService_ListKnowledgeDocuments', summary: 'ListKnowledgeDocuments of a version (default: the newest), without their content',
      params: AgentParams, querystring: Type.Object(VersionQuery, { additionalProperties: false }),
      response: { 200: Type.Object({ knowledgeDocuments: Type.Array(KnowledgeDocumentResponse) }), ...errors },
    },
  }, async (request) => {
    const { scope, name } = scoped(request.params, request.caller);
    const docs = await core.knowledge.list(scope, request.params.agent, versionFromWire(request.query, 'edge'));
    return { knowledgeDocuments: docs.map((d) => documentToWire(name, d, false)) };
  });

  r.get(routePath(`${P}:search`), {
    config: { permission: 'Agent:SearchKnowledge' },
    schema: {
      tags, operationId: 'AgentService_SearchKnowledge', summary: "SearchKnowledge: the passages of a version's knowledge (default: release) that best match a question, best first",
      params: AgentParams,
      querystring: Type.Object({
        query: Type.String({ minLength: 1, maxLength: AGENT_LIMITS.searchQuery }),
        pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: AGENT_LIMITS.searchResults })),
        ...VersionQuery,
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ passages: Type.Array(KnowledgePassageResponse) }), ...errors },
    },
  }, async (request) => {
    const { scope, name } = scoped(request.params, request.caller);
    const { query, pageSize = 5 } = request.query;
    const passages = await core.knowledge.search(scope, request.params.agent, versionFromWire(request.query, 'release'), query, pageSize);
    return { passages: passages.map((p) => passageToWire(name, p)) };
  });

  r.get(`${P}/:document`, {
    config: { permission: 'Agent:GetKnowledgeDocument' },
    schema: { tags, operationId: 'AgentService_GetKnowledgeDocument', summary: 'GetKnowledgeDocument with its content', params: DocumentParams, response: { 200: KnowledgeDocumentResponse, ...errors } },
  }, async (request) => {
    const { scope, name } = scoped(request.params, request.caller);
    return documentToWire(name, await core.knowledge.get(scope, request.params.agent, request.params.document), true);
  });

  r.delete(`${P}/:document`, {
    config: { permission: 'Agent:DeleteKnowledgeDocument' },
    schema: { tags, operationId: 'AgentService_DeleteKnowledgeDocument', summary: 'DeleteKnowledgeDocument: a new agent version without it (older versions keep it)', params: DocumentParams, response: { 200: Empty, ...errors } },
  }, async (request) => {
    const { scope } = scoped(request.params, request.caller);
    await core.knowledge.remove(scope, request.params.agent, request.params.document);
    return {};
  });
}
