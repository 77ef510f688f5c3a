import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import type { ConversationRef } from '../../../core/tenancy/access.ts';
import { AUDIO_PERSISTENCE_STATES, CONVERSATION_STATES, SHARING_STATES, type Caller } from '../../../kernel/types.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { parseDuration } from '../../kit/google/schemas.ts';
import { AudioAnalysis, ConversationParams, Duration, Empty, ErrorResponse, StringEnum } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations/:conversation';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const strict = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

type Body = Record<string, unknown>;

/**
 * One custom method on a conversation. These methods only rename core calls, so they are a table
 * registered by one loop; every rule (idempotent close, no reopening, the sharing precondition,
 * the language fallback) lives in the core.
 */
interface UpdateMethod {
  verb: string;
  rpc: string;
  summary: string;
  body: TSchema;
  response?: TSchema;
  handle(core: Core, caller: Caller, ref: ConversationRef, body: Body): Promise<object>;
}

const METHODS: UpdateMethod[] = [
  {
    verb: 'close',
    rpc: 'CloseConversation',
    summary: 'CloseConversation (idempotent; deprecated by the vendor in favour of UpdateConversationState)',
    // The vendor sends `{}`; an absent body is accepted too, as for StartConversation.
    body: Type.Optional(strict({})),
    async handle(core, caller, ref) {
      await core.conversations.setState(caller, ref, 'CLOSED');
      return {};
    },
  },
  {
    verb: 'updateState',
    rpc: 'UpdateConversationState',
    summary: 'UpdateConversationState: ACTIVE, ON_HOLD or CLOSED; a closed conversation cannot be reopened',
    body: strict({ state: StringEnum(CONVERSATION_STATES) }),
    async handle(core, caller, ref, body) {
      await core.conversations.setState(caller, ref, body.state as (typeof CONVERSATION_STATES)[number]);
      return {};
    },
  },
  {
    verb: 'updateAudioPersistenceState',
    rpc: 'UpdateConversationAudioPersistenceState',
    summary: 'UpdateConversationAudioPersistenceState (persistedAudioUri is required when PERSISTED)',
    body: strict({
      audioPersistenceState: StringEnum(AUDIO_PERSISTENCE_STATES),
      persistedAudioUri: Type.Optional(Type.String({ maxLength: 4096 })),
      audioAnalysis: Type.Optional(AudioAnalysis),
      audioDuration: Type.Optional(Duration),
    }),
    async handle(core, caller, ref, body) {
      const analysis = body.audioAnalysis as { bucketDuration?: string; agentEnergy?: number[]; visitorEnergy?: number[] } | undefined;
      await core.conversations.updateAudioPersistence(caller, ref, {
        audioPersistenceState: body.audioPersistenceState as (typeof AUDIO_PERSISTENCE_STATES)[number],
        persistedAudioUri: body.persistedAudioUri as string | undefined,
        audioAnalysis: analysis && {
          ...analysis,
          bucketDuration: analysis.bucketDuration === undefined ? undefined : parseDuration(analysis.bucketDuration),
        },
        persistedAudioDuration: body.audioDuration === undefined ? undefined : parseDuration(body.audioDuration as string),
      });
      return {};
    },
  },
  {
    verb: 'updateDisplayName',
    rpc: 'UpdateConversationDisplayName',
    summary: 'UpdateConversationDisplayName',
    body: strict({ displayName: Type.String({ maxLength: LIMITS.shortString }) }),
    async handle(core, caller, ref, body) {
      await core.conversations.updateFields(caller, ref, { displayName: body.displayName as string });
      return {};
    },
  },
  {
    verb: 'updateLanguageCode',
    rpc: 'UpdateConversationLanguage',
    summary: "UpdateConversationLanguage: answers the effective code (the profile's default when the code is not supported)",
    body: strict({ languageCode: Type.String({ minLength: 1, maxLength: 35 }) }),
    response: Type.Object({ languageCode: Type.String() }),
    async handle(core, caller, ref, body) {
      return { languageCode: await core.conversations.updateLanguage(caller, ref, body.languageCode as string) };
    },
  },
  {
    verb: 'updateSharingState',
    rpc: 'UpdateConversationSharingState',
    summary: 'UpdateConversationSharingState (only OPERA_SYNTHETIC conversations can be shared: FAILED_PRECONDITION otherwise)',
    body: strict({ sharingState: StringEnum(SHARING_STATES) }),
    async handle(core, caller, ref, body) {
      await core.conversations.updateSharing(caller, ref, body.sharingState as (typeof SHARING_STATES)[number]);
      return {};
    },
  },
  {
    verb: 'updateSkill',
    rpc: 'UpdateConversationSkill',
    summary: 'UpdateConversationSkill',
    body: strict({ skill: Type.String({ maxLength: LIMITS.shortString }) }),
    async handle(core, caller, ref, body) {
      await core.conversations.updateFields(caller, ref, { skill: body.skill as string });
      return {};
    },
  },
];

export async function conversationUpdatesRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const method of METHODS) {
    r.post(routePath(`${P}:${method.verb}`), {
      config: { permission: `Conversation:${method.rpc}` },
      schema: { tags, operationId: `ConversationService_${method.rpc}`, summary: method.summary, params: ConversationParams, body: method.body, response: { 200: method.response ?? Empty, ...errors } },
    }, async (request) => {
      const { customer, profile, conversation } = request.params;
      const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
      return method.handle(core, request.caller, ref, (request.body ?? {}) as Body);
    });
  }
}
