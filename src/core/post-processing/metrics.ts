import type { Metric, MessageCounts } from '../../store/post-processings.ts';
import { ROLES, type Conversation, type Role } from '../../kernel/types.ts';
import { CHAT_ROLE_OF_SPEAKER } from '../messages/chat-roles.ts';

export type { Metric };

/**
 * Whose messages are whose, for the counts: the end user's by the one chat-role rule; the agent
 * runtime's are VIRTUAL_AGENT's (what an interaction writes); every other assistant speaker is a
 * person who took over (a handoff).
 */
export const METRIC_SPEAKERS: { userSpeakers: Role[]; agentSpeakers: Role[]; humanAgentSpeakers: Role[] } = {
  userSpeakers: ROLES.filter((r) => CHAT_ROLE_OF_SPEAKER[r] === 'user'),
  agentSpeakers: ['VIRTUAL_AGENT'],
  humanAgentSpeakers: ROLES.filter((r) => CHAT_ROLE_OF_SPEAKER[r] === 'assistant' && r !== 'VIRTUAL_AGENT'),
};

/** What a finished conversation's metrics are computed from. */
export interface MetricInputs {
  conversation: Pick<Conversation, 'startTime' | 'endTime'>;
  counts: MessageCounts;
  /** Whether the lifecycle handed the conversation to a person (mode MANUAL) at some point. */
  handedOff: boolean;
}

/**
 * The metrics of a finished conversation, in the order they are shown. Values are numbers: a count,
 * seconds, a ratio from 0 to 1, or a boolean as 0/1.
 *
 * Not among them: the agent's response time. A turn's input and reply are written in one
 * transaction (core/interactions/run-turn.ts), so both carry the same time and their difference
 * says nothing.
 *
 * `answered_from_knowledge_ratio` counts the agent's replies that say whether the knowledge answered
 * them (metadata `answeredFromKnowledge`; a greeting answers nothing and does not say); a
 * conversation without such a reply has no ratio, so the metric is left out rather than made up.
 */
export function metricsOf(inputs: MetricInputs): Metric[] {
  const { conversation, counts, handedOff } = inputs;
  const end = conversation.endTime ?? conversation.startTime;
  const judged = counts.answeredFromKnowledge + counts.notAnsweredFromKnowledge;
  const metrics: Metric[] = [
    { name: 'interactions', value: counts.interactions, unit: 'count' },
    { name: 'user_messages', value: counts.userMessages, unit: 'count' },
    { name: 'agent_messages', value: counts.agentMessages, unit: 'count' },
    { name: 'human_agent_messages', value: counts.humanAgentMessages, unit: 'count' },
    { name: 'duration', value: Math.max(0, (end.getTime() - conversation.startTime.getTime()) / 1000), unit: 'seconds' },
    // The agent's "I don't know that; would you like a person?" replies.
    { name: 'handoff_offers', value: counts.notAnsweredFromKnowledge, unit: 'count' },
    { name: 'handed_off', value: handedOff ? 1 : 0, unit: 'boolean' },
  ];
  if (judged > 0) metrics.push({ name: 'answered_from_knowledge_ratio', value: counts.answeredFromKnowledge / judged, unit: 'ratio' });
  return metrics;
}
