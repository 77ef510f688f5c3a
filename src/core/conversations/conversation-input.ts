import { invalidArgument } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Conversation } from '../../kernel/types.ts';

/** Fields a caller may set at start and change with an update. */
export const UPDATABLE_FIELDS = [
  'agent', 'participants', 'agentInfo', 'agentUserName', 'team', 'visitor', 'conversationCorrelationId', 'skill',
  'platformInfo', 'startTime', 'legacyChatId', 'raiseHandState', 'languageCode', 'channel', 'displayName',
  'policyOverride', 'usecase', 'corruptionState', 'virtualAgent', 'transferInfo', 'multiLanguageMode',
] as const satisfies readonly (keyof Conversation)[];

/** Settable at start only: `source` decides sharing, so it cannot change later. */
export const START_ONLY_FIELDS = ['source'] as const;

export type ConversationInput = Partial<Pick<Conversation, (typeof UPDATABLE_FIELDS)[number] | (typeof START_ONLY_FIELDS)[number]>>;

/**
 * Set by the core's own services, never through the conversations surface's update mask: who the
 * conversation is with and the support desk's fields.
 */
export type DeskFields = Partial<Pick<Conversation, 'endUserId' | 'context' | 'customData' | 'stateId'>>;

export function isUpdatableField(field: string): field is (typeof UPDATABLE_FIELDS)[number] {
  return (UPDATABLE_FIELDS as readonly string[]).includes(field);
}

export interface StartDefaults {
  source: Conversation['source'];
  channel?: Conversation['channel'];
}

export interface StartOptions {
  closeAgentOtherConversations?: boolean;
}

/** BCP-47 syntax check through Intl; returns the canonical form. */
export function canonicalLanguage(code: string, field = 'languageCode'): string {
  try {
    return Intl.getCanonicalLocales(code)[0];
  } catch {
    throw invalidArgument(field, `"${code}" is not a BCP-47 language tag`);
  }
}

export function checkInput(input: ConversationInput, prefix: string): ConversationInput {
  const out = { ...input };
  if (out.languageCode) out.languageCode = canonicalLanguage(out.languageCode, `${prefix}languageCode`);
  if (out.participants && out.participants.length > LIMITS.participants) {
    throw invalidArgument(`${prefix}participants`, `at most ${LIMITS.participants} participants`);
  }
  return out;
}
