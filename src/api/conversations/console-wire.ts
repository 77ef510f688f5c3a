import { Type, type TSchema } from '@sinclair/typebox';
import { invalidArgument } from '../../kernel/errors.ts';
import { ID_PATTERN } from '../../kernel/ids.ts';
import { CONVERSATION_MODES } from '../../kernel/types.ts';
import { KEY_LIMITS, type ManagedApiKey, type ProfileRow } from '../../core/tenancy/key-management.ts';
import { RESOURCE_ID_PATTERN } from '../../core/tenancy/tenancy.ts';
import { STATS_INTERVALS, type ConversationStats } from '../../core/insights/conversation-stats.ts';
import type { HandoffState } from '../../core/conversations/handoff.ts';
import { StringEnum } from '../kit/string-enum.ts';
import { Timestamp } from '../kit/google/schemas.ts';
import { agentName } from './agent-wire.ts';
import { messageName, profileName } from './names.ts';

/*
 * [Parley] The wire of what the console needs beyond Cresta's ConversationService: API keys and
 * the presented key, the profiles a key sees, conversation statistics, and the handoff. Schemas
 * and their core <-> wire conversion, as agent-wire.ts does for agents.
 */

const Obj = <T extends Record<string, TSchema>>(props: T, description?: string) => Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });
const Name = (description: string) => Type.String({ description });

export const ConversationMode = StringEnum(CONVERSATION_MODES);

export const ApiKeyResponse = Type.Object({
  name: Name('customers/{customer}/apiKeys/{key}'),
  displayName: Type.String(),
  profile: Name('customers/{customer}/profiles/{profile} when the key is narrowed to a profile (or to an agent, whose profile it is), else ""'),
  agent: Name('customers/{customer}/profiles/{profile}/agents/{agent} when the key is narrowed to an agent, else ""'),
  scopes: Type.Array(Type.String(), { description: 'Permission strings (`Conversation:GetConversation`); `*` is every one' }),
  createTime: Timestamp,
  revokeTime: Type.Optional(Timestamp),
});

export const CreatedApiKeyResponse = Type.Object({
  ...ApiKeyResponse.properties,
  secret: Type.String({ description: 'The key to present (Authorization: Bearer <secret>): shown this once, stored hashed' }),
});

export const ApiKeyInput = Obj({
  displayName: Type.String({ minLength: 1, maxLength: KEY_LIMITS.displayName }),
  profile: Type.Optional(Type.String({ maxLength: 512, description: "customers/{customer}/profiles/{profile}; default: the creating key's own narrowing" })),
  agent: Type.Optional(Type.String({ maxLength: 512, description: "customers/{customer}/profiles/{profile}/agents/{agent}; default: the creating key's own" })),
  scopes: Type.Optional(Type.Array(Type.String({ maxLength: KEY_LIMITS.scopeLength }), {
    maxItems: KEY_LIMITS.scopes, description: "default: the creating key's own scopes; never more than the creating key holds",
  })),
}, 'ApiKey to create [Parley]');

export const KeyIntrospection = Type.Object({
  name: Name('customers/{customer}/apiKeys/{key}'),
  customer: Name('customers/{customer}'),
  profile: Name('customers/{customer}/profiles/{profile} when the key is narrowed, else ""'),
  agent: Name('customers/{customer}/profiles/{profile}/agents/{agent} when the key is narrowed to an agent, else ""'),
  scopes: Type.Array(Type.String()),
  displayName: Type.String(),
});

export const ProfileResponse = Type.Object({
  name: Name('customers/{customer}/profiles/{profile}'),
  displayName: Type.String(),
  supportedLanguages: Type.Array(Type.String()),
  defaultLanguage: Type.String(),
});

export const StatsQuery = Obj({
  interval: StringEnum(STATS_INTERVALS),
  startTime: Timestamp,
  endTime: Timestamp,
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: "An agent's name (customers/{c}/profiles/{p}/agents/{a}) or its 24-hex id" })),
});

const count = (description: string) => Type.Integer({ minimum: 0, description });
export const StatsBucket = Type.Object({
  startTime: Timestamp,
  endTime: Timestamp,
  conversationCount: count('conversations that started in the bucket'),
  analyzedCount: count('of those, with insights'),
  positiveCount: count('insights with positive sentiment'),
  neutralCount: count('insights with neutral sentiment'),
  negativeCount: count('insights with negative sentiment'),
  taskCompletedCount: count('insights that found the task completed'),
  handedOffCount: count('conversations handed to a human (mode MANUAL) at some time'),
});
export const ConversationStatsResponse = Type.Object({
  buckets: Type.Array(StatsBucket),
  topTopics: Type.Array(Type.Object({ topic: Type.String(), count: count('analysed conversations of the range naming the topic') })),
});

export const PendingQuestion = Type.Object({
  message: Name('customers/{c}/profiles/{p}/conversations/{conversation}/messages/{message}'),
  text: Type.String(),
  createTime: Timestamp,
});
export const ConversationHandoff = Type.Object({ mode: ConversationMode, pendingQuestions: Type.Array(PendingQuestion) });

const iso = (d: Date) => d.toISOString();

function keyNames(k: Pick<ManagedApiKey, 'customerId' | 'profileId' | 'agentId' | 'agentProfileId'>) {
  const profileId = k.agentProfileId ?? k.profileId;
  return {
    profile: profileId ? profileName(k.customerId, profileId) : '',
    // A key narrowed to an agent that was deleted keeps its narrowing; `-` stands for the profile it no longer has.
    agent: k.agentId ? agentName({ customerId: k.customerId, profileId: profileId ?? '-', id: k.agentId }) : '',
  };
}

export function apiKeyToWire(k: ManagedApiKey) {
  return {
    name: `customers/${k.customerId}/apiKeys/${k.id}`, displayName: k.displayName, ...keyNames(k), scopes: k.scopes,
    createTime: iso(k.createTime), ...(k.revokeTime ? { revokeTime: iso(k.revokeTime) } : {}),
  };
}

export function introspectionToWire(k: ManagedApiKey) {
  return { name: `customers/${k.customerId}/apiKeys/${k.id}`, customer: `customers/${k.customerId}`, ...keyNames(k), scopes: k.scopes, displayName: k.displayName };
}

export function profileToWire(p: ProfileRow) {
  return { name: profileName(p.customerId, p.id), displayName: p.displayName, supportedLanguages: p.supportedLanguages, defaultLanguage: p.defaultLanguage };
}

export function statsToWire(stats: ConversationStats) {
  return { buckets: stats.buckets.map((b) => ({ ...b, startTime: iso(b.startTime), endTime: iso(b.endTime) })), topTopics: stats.topTopics };
}

export function handoffToWire({ conversation, pendingQuestions }: HandoffState) {
  return {
    mode: conversation.mode,
    pendingQuestions: pendingQuestions.map((q) => ({ message: messageName(conversation, q.messageId), text: q.text, createTime: iso(q.createTime) })),
  };
}

/** A profile name of the path's customer, as its profile id. */
export function profileIdFromWire(name: string, customerId: string, field: string): string {
  const match = /^customers\/([^/]+)\/profiles\/([^/]+)$/.exec(name);
  if (!match || !RESOURCE_ID_PATTERN.test(match[2])) throw invalidArgument(field, 'must look like customers/{customer}/profiles/{profile}');
  if (match[1] !== customerId) throw invalidArgument(field, "must be a profile of the path's customer");
  return match[2];
}

/**
 * An agent name under the path's customer (and profile, when the path has one), or an agent's
 * 24-hex id, as the agent's id and the profile its name says.
 */
export function agentFromWire(value: string, scope: { customerId: string; profileId?: string }, field: string): { agentId: string; profileId?: string } {
  if (ID_PATTERN.test(value)) return { agentId: value };
  const match = /^customers\/([^/]+)\/profiles\/([^/]+)\/agents\/([^/]+)$/.exec(value);
  if (!match || !RESOURCE_ID_PATTERN.test(match[2]) || !ID_PATTERN.test(match[3])) {
    throw invalidArgument(field, 'must look like customers/{customer}/profiles/{profile}/agents/{agent} (a 24-hex agent id), or be the 24-hex id');
  }
  const [, customerId, profileId, agentId] = match;
  if (customerId !== scope.customerId) throw invalidArgument(field, "must be an agent of the path's customer");
  if (scope.profileId !== undefined && profileId !== scope.profileId) throw invalidArgument(field, "must be an agent of the path's profile");
  return { agentId, profileId };
}
