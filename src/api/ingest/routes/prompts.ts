import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Core } from '../../../core/index.ts';
import { parseWireId } from '../ids.ts';
import { promptToWire } from '../map.ts';
import { CreatePromptBody, Deleted, errorResponses, ListPromptsQuery, Pagination, PromptIdParams, PromptResponse, UpdatePromptBody } from '../schemas.ts';

const tags = ['Ingest: prompts'];
const promptId = (wire: string) => parseWireId('prompt', wire, 'id');

/** Wire prompt fields → agent fields: the prompt's `content` is the agent's instructions. */
function agentFields(body: { content?: string; llmModel?: string } & Record<string, unknown>) {
  const { content, llmModel, ...rest } = body;
  return { ...rest, instructions: content, model: llmModel };
}

export async function promptRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/prompts', {
    config: { permission: 'Ingest:ListPrompts' },
    schema: {
      tags, operationId: 'listPrompts', summary: 'List prompts, newest first', querystring: ListPromptsQuery,
      response: { 200: Type.Object({ data: Type.Array(PromptResponse), pagination: Pagination }), ...errorResponses },
    },
  }, async (request) => {
    const { status, limit = 20, offset = 0 } = request.query;
    const page = await core.agents.list(request.caller, { status, limit, offset });
    return { data: page.agents.map(promptToWire), pagination: { total: page.total, limit, offset } };
  });

  r.post('/prompts', {
    config: { permission: 'Ingest:CreatePrompt' },
    schema: { tags, operationId: 'createPrompt', summary: 'Create a prompt (status defaults to active)', body: CreatePromptBody, response: { 201: PromptResponse, ...errorResponses } },
  }, async (request, reply) => {
    const agent = await core.agents.create(request.caller, { ...agentFields(request.body), name: request.body.name });
    return reply.code(201).send(promptToWire(agent));
  });

  r.get('/prompts/:id', {
    config: { permission: 'Ingest:GetPrompt' },
    schema: { tags, operationId: 'getPrompt', summary: 'Get a prompt', params: PromptIdParams, response: { 200: PromptResponse, ...errorResponses } },
  }, async (request) => promptToWire(await core.agents.get(request.caller, promptId(request.params.id))));

  r.patch('/prompts/:id', {
    config: { permission: 'Ingest:UpdatePrompt' },
    schema: { tags, operationId: 'updatePrompt', summary: 'Change a prompt (only the fields sent)', params: PromptIdParams, body: UpdatePromptBody, response: { 200: PromptResponse, ...errorResponses } },
  }, async (request) => promptToWire(await core.agents.update(request.caller, promptId(request.params.id), agentFields(request.body))));

  r.delete('/prompts/:id', {
    config: { permission: 'Ingest:DeletePrompt' },
    schema: { tags, operationId: 'deletePrompt', summary: 'Delete a prompt (its conversations keep their promptId)', params: PromptIdParams, response: { 200: Deleted, ...errorResponses } },
  }, async (request) => {
    await core.agents.delete(request.caller, promptId(request.params.id));
    return { id: request.params.id, deleted: true };
  });
}
