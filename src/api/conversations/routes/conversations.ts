import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import type { ConversationFilter, ConversationOrder } from '../../../core/conversations/conversations.ts';
import { CHANNELS, CONVERSATION_STATES, SOURCES, type Caller } from '../../../kernel/types.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { parseDuration } from '../../kit/google/schemas.ts';
import { conversationFromWire, conversationToWire, updateMaskFromWire } from '../map.ts';
import { conversationName } from '../names.ts';
import {
  ConversationBody, ConversationParams, ConversationResponse, Duration, Empty, ErrorResponse, ProfileParams, StringEnum, Timestamp,
} from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const StringList = (max = LIMITS.filterValues) => Type.Array(Type.String({ maxLength: LIMITS.shortString }), { maxItems: max });

export const ConversationFilterWire = Type.Object({
  rangeStartTime: Type.Optional(Timestamp),
  rangeEndTime: Type.Optional(Timestamp),
  users: Type.Optional(Type.Array(Type.Object({ userName: Type.Optional(Type.String()), teamName: Type.Optional(Type.String()) }, { additionalProperties: false }), { maxItems: LIMITS.filterValues })),
  teams: Type.Optional(StringList()),
  platformConversationId: Type.Optional(Type.String({ maxLength: LIMITS.shortString })),
  minConversationDuration: Type.Optional(Duration),
  maxConversationDuration: Type.Optional(Duration),
  messageKeyword: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  states: Type.Optional(Type.Array(StringEnum(CONVERSATION_STATES), { maxItems: 10 })),
  channels: Type.Optional(Type.Array(StringEnum(CHANNELS), { maxItems: 10 })),
  sources: Type.Optional(Type.Array(StringEnum(SOURCES), { maxItems: 10 })),
  tags: Type.Optional(StringList()),
  languageCodes: Type.Optional(StringList()),
  usecases: Type.Optional(StringList()),
  agents: Type.Optional(StringList()),
  metadata: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), StringList(), { maxProperties: 20 })),
  search: Type.Optional(Type.String({
    maxLength: 256,
    description: "[Parley] ListConversations only: the support desk's ranked search over the title, the agent's name, the person, the summary and the messages' words; "
      + 'best match first unless orderBy is given; blank is no search',
  })),
}, { additionalProperties: false });

type FilterWire = typeof ConversationFilterWire.static;

/** Wire filter → core filter. Tag names are resource names; the core filters on tag ids. */
export function filterFromWire(wire: FilterWire | undefined): ConversationFilter {
  if (!wire) return {};
  const filter: ConversationFilter = { ...wire } as unknown as ConversationFilter;
  filter.rangeStartTime = wire.rangeStartTime ? new Date(wire.rangeStartTime) : undefined;
  filter.rangeEndTime = wire.rangeEndTime ? new Date(wire.rangeEndTime) : undefined;
  if (filter.rangeStartTime && filter.rangeEndTime && filter.rangeStartTime > filter.rangeEndTime) {
    throw invalidArgument('filter.rangeEndTime', 'must not be before rangeStartTime');
  }
  filter.minConversationDuration = wire.minConversationDuration ? parseDuration(wire.minConversationDuration) : undefined;
  filter.maxConversationDuration = wire.maxConversationDuration ? parseDuration(wire.maxConversationDuration) : undefined;
  filter.tags = wire.tags?.map((t) => t.split('/').pop()!);
  return filter;
}

const ORDER_BY = ['startTime', 'startTime desc', 'createTime', 'createTime desc'] as const;

function orderFromWire(orderBy: string | undefined): ConversationOrder {
  const value = (orderBy ?? 'startTime desc').trim().replace(/\s+/g, ' ');
  if (!(ORDER_BY as readonly string[]).includes(value)) throw invalidArgument('orderBy', `must be one of ${ORDER_BY.join(', ')}`);
  const [field, direction] = value.split(' ');
  return { field: field as ConversationOrder['field'], descending: direction === 'desc' };
}

const StartQuery = Type.Object({
  closeAgentOtherConversations: Type.Optional(Type.Boolean()),
  'featureOverride.skipAnnotations': Type.Optional(Type.Boolean()),
  'featureOverride.skipPiiRedation': Type.Optional(Type.Boolean()),
  'featureOverride.synchronousBackend': Type.Optional(Type.Boolean()),
  'featureOverride.skipIndexOnClose': Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export async function conversationRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // featureOverride.* are accepted for compatibility; Parley has no annotation or PII pipeline for them to skip.
  async function start(request: { caller: Caller; params: { customer: string; profile: string; conversation?: string }; body: ConversationBody; query: { closeAgentOtherConversations?: boolean } }) {
    const { customer, profile, conversation } = request.params;
    const { conversation: started } = await core.conversations.start(
      request.caller, customer, profile, conversation, conversationFromWire(request.body), { source: 'API' },
      { closeAgentOtherConversations: request.query.closeAgentOtherConversations },
    );
    return conversationToWire(started);
  }

  r.post(routePath(`${P}/:conversation:start`), {
    config: { permission: 'Conversation:StartConversation' },
    schema: { tags, operationId: 'ConversationService_StartConversation', summary: 'StartConversation with a caller-chosen id (idempotent)', params: ConversationParams, querystring: StartQuery, body: ConversationBody, response: { 200: ConversationResponse, ...errors } },
  }, (request) => start(request));

  r.post(routePath(`${P}:start`), {
    config: { permission: 'Conversation:StartConversation' },
    schema: { tags, operationId: 'ConversationService_StartConversation2', summary: 'StartConversation with a server-assigned id', params: ProfileParams, querystring: StartQuery, body: ConversationBody, response: { 200: ConversationResponse, ...errors } },
  }, (request) => start(request));

  r.get(`${P}/:conversation`, {
    config: { permission: 'Conversation:GetConversation' },
    schema: { tags, operationId: 'ConversationService_GetConversation', summary: 'GetConversation', params: ConversationParams, response: { 200: Type.Object({ conversation: ConversationResponse }), ...errors } },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    return { conversation: conversationToWire(await core.conversations.get(await core.conversations.resolveName(request.caller, customer, profile, conversation))) };
  });

  r.patch(`${P}/:conversation`, {
    config: { permission: 'Conversation:UpdateConversation' },
    schema: {
      tags, operationId: 'ConversationService_UpdateConversation', summary: 'UpdateConversation (fields named in updateMask)', params: ConversationParams,
      querystring: Type.Object({ updateMask: Type.String({ minLength: 1, maxLength: 2048 }) }, { additionalProperties: false }),
      body: ConversationBody, response: { 200: ConversationResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const path = `customers/${customer}/profiles/${profile}/conversations/${conversation}`;
    if (request.body.name && request.body.name !== path && request.body.name !== conversationName(ref)) {
      throw invalidArgument('conversation.name', 'must match the name in the path');
    }
    const mask = updateMaskFromWire(request.query.updateMask);
    const updated = await core.conversations.update(request.caller, ref, conversationFromWire(request.body), mask);
    return conversationToWire(updated);
  });

  r.delete(`${P}/:conversation`, {
    config: { permission: 'Conversation:DeleteConversation' },
    schema: { tags, operationId: 'ConversationService_DeleteConversation', summary: 'DeleteConversation with its messages, events and tags', params: ConversationParams, response: { 200: Empty, ...errors } },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    await core.conversations.delete(request.caller, await core.conversations.resolveName(request.caller, customer, profile, conversation));
    return {};
  });

  r.post(P, {
    config: { permission: 'Conversation:ListConversations' },
    schema: {
      tags, operationId: 'ConversationService_ListConversations', summary: 'ListConversations (POST, as the vendor); [Parley] filter.search ranks by the support desk\'s search', params: ProfileParams,
      body: Type.Object({
        pageSize: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.pageSize })),
        pageToken: Type.Optional(Type.String({ maxLength: 4096 })),
        filter: Type.Optional(ConversationFilterWire),
        orderBy: Type.Optional(Type.String({ maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversations: Type.Array(ConversationResponse), nextPageToken: Type.String() }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const body = request.body;
    const { search, ...wireFilter } = body.filter ?? {};
    const filter = filterFromWire(body.filter && wireFilter);
    const page = search?.trim()
      ? await core.conversationSearch.list(request.caller, customer, profile, {
        filter, search: search.trim(), order: body.orderBy === undefined ? undefined : orderFromWire(body.orderBy), pageSize: body.pageSize || 50, pageToken: body.pageToken,
      })
      : await core.conversations.list(request.caller, customer, profile, {
        filter, order: orderFromWire(body.orderBy), pageSize: body.pageSize || 50, pageToken: body.pageToken,
      });
    return { conversations: page.conversations.map(conversationToWire), nextPageToken: page.nextPageToken };
  });

  r.get(routePath(`${P}:count`), {
    config: { permission: 'Conversation:ListConversations' },
    schema: {
      tags, operationId: 'ConversationService_CountConversations', summary: 'CountConversations (filter in the query string: filter.rangeStartTime=…)', params: ProfileParams,
      querystring: Type.Object({
        'filter.rangeStartTime': Type.Optional(Timestamp),
        'filter.rangeEndTime': Type.Optional(Timestamp),
        'filter.teams': Type.Optional(StringList()),
        'filter.platformConversationId': Type.Optional(Type.String({ maxLength: LIMITS.shortString })),
        'filter.minConversationDuration': Type.Optional(Duration),
        'filter.maxConversationDuration': Type.Optional(Duration),
        'filter.messageKeyword': Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        'filter.states': Type.Optional(Type.Array(StringEnum(CONVERSATION_STATES), { maxItems: 10 })),
        'filter.channels': Type.Optional(Type.Array(StringEnum(CHANNELS), { maxItems: 10 })),
        'filter.sources': Type.Optional(Type.Array(StringEnum(SOURCES), { maxItems: 10 })),
        'filter.tags': Type.Optional(StringList()),
        'filter.languageCodes': Type.Optional(StringList()),
        'filter.usecases': Type.Optional(StringList()),
        'filter.agents': Type.Optional(StringList()),
      }, {
        additionalProperties: false,
        // Metadata keys are the caller's own: `filter.metadata.<key>=value`, repeated for any of several values.
        patternProperties: { '^filter\\.metadata\\..{1,256}$': StringList() },
      }),
      response: { 200: Type.Object({ count: Type.String() }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const wire: Record<string, unknown> = {};
    const metadata: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(request.query as Record<string, unknown>)) {
      if (key.startsWith('filter.metadata.')) metadata[key.slice('filter.metadata.'.length)] = value as string[];
      else wire[key.slice('filter.'.length)] = value;
    }
    if (Object.keys(metadata).length > 0) wire.metadata = metadata;
    const count = await core.conversations.count(request.caller, customer, profile, filterFromWire(wire as FilterWire));
    return { count: String(count) };
  });
}
