import { invalidArgument } from '../../kernel/errors.ts';
import type { AgentChanges, AgentState, ModelSettings } from '../../store/agents.ts';
import { KNOWLEDGE_MEDIA_TYPES, type KnowledgeMediaType } from '../../store/knowledge.ts';

/** Sizes of an agent's fields (Parley). */
export const AGENT_LIMITS = {
  name: 256,
  instructions: 100_000,
  model: 256,
  description: 4096,
  tags: 50,
  tag: 64,
  states: 50,
  stateName: 256,
  stateText: 4096,
  /** Documents in one version's knowledge base. */
  documents: 200,
  documentName: 256,
  /** Characters of one document: ~250 pages of text. */
  documentChars: 1_000_000,
  /** Passages one search returns. */
  searchResults: 50,
  searchQuery: 4096,
  /** Characters of the configured greeting: a few sentences, spoken as the first turn. */
  greeting: 1000,
} as const;

/**
 * An agent change as callers give it: the stored fields, plus `greeting` alone (null clears it),
 * which sets the greeting in the model settings and keeps their other settings.
 */
export type AgentEdit = AgentChanges & { greeting?: string | null; handOff?: boolean };

/** A document to add to a knowledge base; markdown unless said otherwise. */
export interface KnowledgeInput {
  name: string;
  content: string;
  mediaType?: KnowledgeMediaType;
}

/** A greeting: trimmed, not blank, at most AGENT_LIMITS.greeting characters. */
export function checkGreeting(greeting: unknown, field = 'greeting'): string {
  if (typeof greeting !== 'string' || greeting.trim() === '') throw invalidArgument(field, 'must not be blank');
  const trimmed = greeting.trim();
  if (trimmed.length > AGENT_LIMITS.greeting) throw invalidArgument(field, `at most ${AGENT_LIMITS.greeting} characters`);
  // NUL cannot be stored in jsonb.
  if (trimmed.includes('\u0000')) throw invalidArgument(field, 'must not contain NUL characters');
  return trimmed;
}

/** The settings with `greeting` set, or without one when it is null. */
export function withGreeting(settings: ModelSettings, greeting: string | null): ModelSettings {
  const { greeting: _replaced, ...rest } = settings;
  return greeting === null ? rest : { ...rest, greeting };
}

function checkModelSettings(settings: ModelSettings, field: string): ModelSettings {
  const { temperature, topP, maxOutputTokens, handOff } = settings;
  const greeting = settings.greeting === undefined ? undefined : checkGreeting(settings.greeting, `${field}.greeting`);
  const known = new Set(['temperature', 'topP', 'maxOutputTokens', 'greeting', 'handOff']);
  for (const key of Object.keys(settings)) if (!known.has(key)) throw invalidArgument(`${field}.${key}`, 'is not a model setting');
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= 2)) {
    throw invalidArgument(`${field}.temperature`, 'must be between 0 and 2');
  }
  if (topP !== undefined && !(Number.isFinite(topP) && topP > 0 && topP <= 1)) throw invalidArgument(`${field}.topP`, 'must be above 0 and at most 1');
  if (maxOutputTokens !== undefined && !(Number.isInteger(maxOutputTokens) && maxOutputTokens >= 1 && maxOutputTokens <= 1_000_000)) {
    throw invalidArgument(`${field}.maxOutputTokens`, 'must be an integer from 1 to 1000000');
  }
  if (handOff !== undefined && typeof handOff !== 'boolean') throw invalidArgument(`${field}.handOff`, 'must be true or false');
  // Only the settings given are stored, so an unset one keeps the provider's default.
  return Object.fromEntries(Object.entries({ temperature, topP, maxOutputTokens, greeting, handOff }).filter(([, v]) => v !== undefined));
}

function checkStates(states: AgentState[]): AgentState[] {
  if (states.length > AGENT_LIMITS.states) throw invalidArgument('states', `at most ${AGENT_LIMITS.states} states`);
  const names = new Set<string>();
  return states.map((state, i) => {
    const name = (state.name ?? '').trim();
    if (!name || name.length > AGENT_LIMITS.stateName) throw invalidArgument(`states[${i}].name`, `must have 1 to ${AGENT_LIMITS.stateName} characters`);
    if (names.has(name)) throw invalidArgument(`states[${i}].name`, `"${name}" is used by another state`);
    names.add(name);
    const objective = state.objective ?? '';
    const action = state.action ?? '';
    for (const [key, value] of [['objective', objective], ['action', action]] as const) {
      if (typeof value !== 'string' || value.length > AGENT_LIMITS.stateText) throw invalidArgument(`states[${i}].${key}`, `must be text of at most ${AGENT_LIMITS.stateText} characters`);
    }
    return { name, objective, action };
  });
}

/** Checks an agent's settable fields; returns them normalised (trimmed, de-duplicated). */
export function checkChanges(changes: AgentChanges): AgentChanges {
  const checked: AgentChanges = { ...changes };
  if (changes.name !== undefined && (changes.name.trim() === '' || changes.name.length > AGENT_LIMITS.name)) {
    throw invalidArgument('name', `must have 1 to ${AGENT_LIMITS.name} characters`);
  }
  if (changes.instructions !== undefined && changes.instructions.length > AGENT_LIMITS.instructions) {
    throw invalidArgument('instructions', `at most ${AGENT_LIMITS.instructions} characters`);
  }
  if (changes.model !== undefined && changes.model.length > AGENT_LIMITS.model) throw invalidArgument('model', `at most ${AGENT_LIMITS.model} characters`);
  if (changes.tags) {
    const tags = [...new Set(changes.tags.map((t) => t.trim()))];
    if (tags.some((t) => t === '')) throw invalidArgument('tags', 'a tag must not be empty');
    checked.tags = tags;
  }
  if (changes.modelSettings) checked.modelSettings = checkModelSettings(changes.modelSettings, 'modelSettings');
  if (changes.states) checked.states = checkStates(changes.states);
  return checked;
}

export function checkKnowledge(documents: readonly KnowledgeInput[], field = 'knowledge'): Required<KnowledgeInput>[] {
  if (documents.length > AGENT_LIMITS.documents) throw invalidArgument(field, `at most ${AGENT_LIMITS.documents} documents`);
  return documents.map((doc, i) => {
    const name = (doc.name ?? '').trim();
    if (!name || name.length > AGENT_LIMITS.documentName) throw invalidArgument(`${field}[${i}].name`, `must have 1 to ${AGENT_LIMITS.documentName} characters`);
    const mediaType = doc.mediaType ?? 'text/markdown';
    if (!(KNOWLEDGE_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      throw invalidArgument(`${field}[${i}].mediaType`, `must be one of ${KNOWLEDGE_MEDIA_TYPES.join(', ')}`);
    }
    if (typeof doc.content !== 'string' || doc.content.trim() === '') throw invalidArgument(`${field}[${i}].content`, 'must not be empty');
    if (doc.content.length > AGENT_LIMITS.documentChars) throw invalidArgument(`${field}[${i}].content`, `at most ${AGENT_LIMITS.documentChars} characters`);
    // NUL cannot be stored in a PostgreSQL text column.
    if (doc.content.includes('\u0000')) throw invalidArgument(`${field}[${i}].content`, 'must not contain NUL characters');
    return { name, mediaType, content: doc.content };
  });
}
