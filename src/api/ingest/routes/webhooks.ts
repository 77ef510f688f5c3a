import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Core } from '../../../core/index.ts';
import { deliveryToWire, webhookToWire } from '../map.ts';
import {
  CreatedWebhook, CreateWebhookBody, Deleted, DeliveryResponse, errorResponses, HexIdParams, Pagination, Paging, UpdateWebhookBody, WebhookResponse,
} from '../schemas.ts';

const tags = ['Ingest: webhooks'];

/** Thin routes over core.webhooks: every rule (URL guard, event names, limits) is the core's. */
export async function webhookRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/webhooks', {
    config: { permission: 'Ingest:ListWebhooks' },
    schema: { tags, operationId: 'listWebhooks', summary: 'List webhook endpoints', response: { 200: Type.Object({ data: Type.Array(WebhookResponse) }), ...errorResponses } },
  }, async (request) => ({ data: (await core.webhooks.list(request.caller)).map(webhookToWire) }));

  r.post('/webhooks', {
    config: { permission: 'Ingest:CreateWebhook' },
    schema: {
      tags, operationId: 'createWebhook', summary: 'Register a webhook endpoint; the signing secret (whsec_…) is shown once',
      body: CreateWebhookBody, response: { 201: CreatedWebhook, ...errorResponses },
    },
  }, async (request, reply) => {
    const { endpoint, secret } = await core.webhooks.create(request.caller, request.body);
    return reply.code(201).send({ ...webhookToWire(endpoint), secret });
  });

  r.get('/webhooks/:id', {
    config: { permission: 'Ingest:GetWebhook' },
    schema: { tags, operationId: 'getWebhook', summary: 'Get a webhook endpoint', params: HexIdParams, response: { 200: WebhookResponse, ...errorResponses } },
  }, async (request) => webhookToWire(await core.webhooks.get(request.caller, request.params.id)));

  r.patch('/webhooks/:id', {
    config: { permission: 'Ingest:UpdateWebhook' },
    schema: {
      tags, operationId: 'updateWebhook', summary: 'Change a webhook endpoint; enabled: true re-enables a disabled one',
      params: HexIdParams, body: UpdateWebhookBody, response: { 200: WebhookResponse, ...errorResponses },
    },
  }, async (request) => webhookToWire(await core.webhooks.update(request.caller, request.params.id, request.body)));

  r.delete('/webhooks/:id', {
    config: { permission: 'Ingest:DeleteWebhook' },
    schema: { tags, operationId: 'deleteWebhook', summary: 'Remove a webhook endpoint and its delivery history', params: HexIdParams, response: { 200: Deleted, ...errorResponses } },
  }, async (request) => {
    await core.webhooks.remove(request.caller, request.params.id);
    return { id: request.params.id, deleted: true };
  });

  r.get('/webhooks/:id/deliveries', {
    config: { permission: 'Ingest:ListWebhookDeliveries' },
    schema: {
      tags, operationId: 'listWebhookDeliveries', summary: "An endpoint's deliveries, newest first, with every attempt", params: HexIdParams,
      querystring: Type.Object(Paging, { additionalProperties: false }),
      response: { 200: Type.Object({ data: Type.Array(DeliveryResponse), pagination: Pagination }), ...errorResponses },
    },
  }, async (request) => {
    const { limit = 20, offset = 0 } = request.query;
    const page = await core.webhooks.listDeliveries(request.caller, request.params.id, { limit, offset });
    return { data: page.deliveries.map(deliveryToWire), pagination: { total: page.total, limit, offset } };
  });
}
