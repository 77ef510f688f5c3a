import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AGENT_LIMITS, VERSION_SETS, type Agent, type AgentEdit, type AgentVersion, type KnowledgeDocument } from '../../core/agents/agents.ts';
import { KNOWLEDGE_MEDIA_TYPES, type KnowledgePassage } from '../../core/agents/knowledge.ts';
import { profileName } from '../../core/resource-names.ts';
import { invalidArgument } from '../../kernel/errors.ts';
import { ID_PATTERN } from '../../kernel/ids.ts';
import { StringEnum } from '../kit/string-enum.ts';
import { ProfileParams, Timestamp } from '../kit/google/schemas.ts';

/*
 * Agents on the conversations surface [Parley]: Parley's own resources under Cresta's resource
 * names (customers/{c}/profiles/{p}/agents/{id}), in the surface's Google API style.
 */

const Obj = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
const Opt = Type.Optional;
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });

export const AgentParams = Obj({ ...ProfileParams.properties, agent: Type.String({ pattern: ID_PATTERN.source }) });
export const DocumentParams = Obj({ ...AgentParams.properties, document: Type.String({ pattern: ID_PATTERN.source }) });

export const ModelSettings = Obj({
  model: Opt(Text(AGENT_LIMITS.model)),
  temperature: Opt(Type.Number({ minimum: 0, maximum: 2 })),
  topP: Opt(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  maxOutputTokens: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  greeting: Opt(Type.String({
    minLength: 1, maxLength: AGENT_LIMITS.greeting,
    description: `The agent's first turn in every conversation, as written (trimmed; not blank; at most ${AGENT_LIMITS.greeting} characters). `
      + 'Unset: the agent greets with its name and what its knowledge covers. Change it alone with updateMask=modelSettings.greeting; '
      + 'that mask without a greeting in the body removes it',
  })),
  handOff: Opt(Type.Boolean({
    description: 'On the support surface, a question the agent\'s knowledge cannot answer hands the conversation to a human (mode manual) [Parley]',
  })),
});
export const AgentState = Obj({
  name: Text(AGENT_LIMITS.stateName, 1),
  objective: Opt(Text(AGENT_LIMITS.stateText)),
  action: Opt(Text(AGENT_LIMITS.stateText)),
});

const settable = {
  displayName: Opt(Text(AGENT_LIMITS.name)),
  description: Opt(Text(AGENT_LIMITS.description)),
  instructions: Opt(Text(AGENT_LIMITS.instructions)),
  modelSettings: Opt(ModelSettings),
  states: Opt(Type.Array(AgentState, { maxItems: AGENT_LIMITS.states })),
};
export const SETTABLE_FIELDS = Object.keys(settable) as (keyof typeof settable)[];
/** A mask path below a settable field: the greeting changes alone, the other model settings stay. */
const GREETING_PATH = 'modelSettings.greeting';

/** Request body: the settable fields; `name` and output-only fields are accepted and ignored (AIP-203). */
export const AgentInput = Obj({
  name: Opt(Type.String({ maxLength: 1024 })), ...settable,
  version: Opt(Type.Integer()), releasedVersion: Opt(Type.Integer()), createTime: Opt(Timestamp), updateTime: Opt(Timestamp),
});
export type AgentInputWire = Static<typeof AgentInput>;

export const AgentResponse = Type.Object({
  name: Type.String(),
  displayName: Type.String(),
  description: Type.String(),
  instructions: Type.String(),
  modelSettings: ModelSettings,
  states: Type.Array(AgentState),
  version: Type.Integer({ description: 'The newest version (the `edge` set): every change makes one' }),
  releasedVersion: Type.Integer({ description: 'The version the `release` set points at (the default a conversation runs)' }),
  createTime: Timestamp,
  updateTime: Timestamp,
});

export const AgentVersionResponse = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  displayName: Type.String(),
  instructions: Type.String(),
  modelSettings: ModelSettings,
  states: Type.Array(AgentState),
  knowledgeDocuments: Type.Array(Type.String(), { description: 'Resource names of the documents this version knows' }),
  createTime: Timestamp,
});

export const KnowledgeDocumentInput = Obj({
  displayName: Text(AGENT_LIMITS.documentName, 1),
  mediaType: Opt(StringEnum(KNOWLEDGE_MEDIA_TYPES, { default: 'text/markdown' })),
  content: Text(AGENT_LIMITS.documentChars, 1),
});
export const KnowledgeDocumentResponse = Type.Object({
  name: Type.String(),
  displayName: Type.String(),
  mediaType: StringEnum(KNOWLEDGE_MEDIA_TYPES),
  content: Opt(Type.String({ description: 'Set by GetKnowledgeDocument and CreateKnowledgeDocument only' })),
  passageCount: Type.Integer(),
  createTime: Timestamp,
});
export const KnowledgePassageResponse = Type.Object({
  document: Type.String(),
  displayName: Type.String(),
  heading: Type.String(),
  text: Type.String(),
  score: Type.Number({ description: 'ts_rank: higher is better; compare within one search only' }),
  coverage: Type.Number({ description: "The share of the query's words (stemmed, stop words dropped) the passage contains, 0 to 1" }),
});

/** Which version a read addresses: `versionSet` (release, the default, or edge) or a `version` number. */
export const VersionQuery = {
  versionSet: Opt(StringEnum(VERSION_SETS)),
  version: Opt(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })),
};

export function versionFromWire(query: { versionSet?: 'release' | 'edge'; version?: number }, defaultSet: 'release' | 'edge') {
  if (query.version !== undefined && query.versionSet !== undefined) throw invalidArgument('version', 'give version or versionSet, not both');
  return query.version ?? query.versionSet ?? defaultSet;
}

export function agentName(a: { customerId: string; profileId: string; id: string }): string {
  return `${profileName(a.customerId, a.profileId)}/agents/${a.id}`;
}

const documentName = (agent: string, id: string) => `${agent}/knowledge/${id}`;

function settingsToWire(model: string, settings: Agent['modelSettings']) {
  return { ...(model ? { model } : {}), ...settings };
}

export function agentToWire(a: Agent) {
  return {
    name: agentName(a), displayName: a.name, description: a.description, instructions: a.instructions,
    modelSettings: settingsToWire(a.model, a.modelSettings), states: a.states, version: a.edgeVersion, releasedVersion: a.releaseVersion,
    createTime: a.createTime.toISOString(), updateTime: a.updateTime.toISOString(),
  };
}

export function versionToWire(agent: string, v: AgentVersion) {
  return {
    name: `${agent}/versions/${v.version}`, version: v.version, displayName: v.name, instructions: v.instructions,
    modelSettings: settingsToWire(v.model, v.modelSettings), states: v.states,
    knowledgeDocuments: v.documentIds.map((id) => documentName(agent, id)), createTime: v.createTime.toISOString(),
  };
}

export function documentToWire(agent: string, d: KnowledgeDocument, withContent: boolean) {
  return {
    name: documentName(agent, d.id), displayName: d.name, mediaType: d.mediaType, ...(withContent ? { content: d.content } : {}),
    passageCount: d.chunkCount, createTime: d.createTime.toISOString(),
  };
}

export function passageToWire(agent: string, p: KnowledgePassage) {
  return { document: documentName(agent, p.documentId), displayName: p.documentName, heading: p.heading, text: p.text, score: p.score, coverage: p.coverage };
}

/**
 * The fields a create or patch sets. A mask (AIP-134) names them, and a named field the body
 * leaves out is cleared; without a mask, every field the body has.
 */
export function agentChangesFromWire(body: AgentInputWire, updateMask?: string): AgentEdit {
  const fields = updateMask === undefined
    ? SETTABLE_FIELDS.filter((f) => body[f] !== undefined)
    : updateMask.split(',').map((f) => f.trim()).filter(Boolean);
  const changes: AgentEdit = {};
  for (const field of fields) {
    if (field === '*') return agentChangesFromWire(body, SETTABLE_FIELDS.join(','));
    if (field === GREETING_PATH) {
      changes.greeting = body.modelSettings?.greeting ?? null;
      continue;
    }
    if (!(SETTABLE_FIELDS as string[]).includes(field)) throw invalidArgument('updateMask', `${field} is not a field that can be changed (${[...SETTABLE_FIELDS, GREETING_PATH].join(', ')})`);
    if (field === 'displayName') changes.name = body.displayName ?? '';
    if (field === 'description') changes.description = body.description ?? '';
    if (field === 'instructions') changes.instructions = body.instructions ?? '';
    if (field === 'states') changes.states = (body.states ?? []).map((s) => ({ name: s.name, objective: s.objective ?? '', action: s.action ?? '' }));
    if (field === 'modelSettings') {
      const { model = '', ...settings } = body.modelSettings ?? {};
      changes.model = model;
      changes.modelSettings = settings;
    }
  }
  return changes;
}
