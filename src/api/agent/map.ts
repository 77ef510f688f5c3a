import type { ConversationQuery, ConversationWithAgent, FilteredMessageQuery, MetadataTagFilter } from '../../core/conversations/filtered-list.ts';
import { CHAT_ROLE_OF_SPEAKER, type ChatRole } from '../../core/messages/chat-roles.ts';
import { ROLES, type Message, type MetadataValues, type Role } from '../../kernel/types.ts';
import { invalidArgument, type ParleyError } from '../../kernel/errors.ts';
import type { ActionEvent, TurnEvent } from '../../core/interactions/turn-events.ts';
import type { AgentFeedback, FeedbackListQuery, FeedbackSortField } from '../../core/interactions/feedback.ts';
import type { InteractionInsights, RecordedCall } from '../../core/interactions/interaction-record.ts';
import { AGENT_STATUS } from './errors.ts';
import { POST_PROCESSINGS, type MESSAGE_TYPES } from './schemas.ts';

/* Amigo's wire ↔ the core: names, ids, message types, tags and paging. */

type MessageType = (typeof MESSAGE_TYPES)[number];

/** A kind Amigo names (the schema's enum), so a kind the core adds later never breaks the wire. */
const isPostProcessing = (kind: string): kind is (typeof POST_PROCESSINGS)[number] => (POST_PROCESSINGS as readonly string[]).includes(kind);

/**
 * Amigo's message types by chat role (the one speaker rule, core/messages/chat-roles.ts): the end
 * user's messages, the agent's (any kind of agent), and everything else as external events.
 * `agent-inner-thought` is never stored as a message.
 */
const TYPE_OF_ROLE: Record<ChatRole, MessageType> = {
  user: 'user-message', assistant: 'agent-message', system: 'external-event', tool: 'external-event',
};
const typeOfSpeaker = (speaker: Role): MessageType => TYPE_OF_ROLE[CHAT_ROLE_OF_SPEAKER[speaker]];
const SENDER_OF_TYPE: Record<MessageType, string> = {
  'user-message': 'user', 'agent-message': 'agent', 'agent-inner-thought': 'agent', 'external-event': 'system',
};

export const DEFAULT_MESSAGE_TYPES: readonly MessageType[] = ['external-event', 'agent-message', 'user-message'];

/** Tags are the conversation's metadata [Parley]: each key with its first value (null when it has none). */
function tagsOf(metadata: MetadataValues): Record<string, string | null> {
  return Object.fromEntries(Object.entries(metadata).map(([key, { values }]) => [key, values?.[0] ?? null]));
}

/**
 * The version a conversation runs, recorded when it was created here [Parley]: the agent version
 * is also its state machine (an agent's states are part of its version); no model preferences
 * per step, as the runtime has one model. null for a conversation that runs no agent.
 */
function versionSetInfo(c: ConversationWithAgent) {
  if (!c.agentId || c.agentVersion === null) return null;
  const version: [string, number] = [c.agentId, c.agentVersion];
  return { name: c.agentVersionSet ?? 'unknown', agent_version_info: version, service_hierarchical_state_machine_version_info: version, llm_model_preferences: {} };
}

export function conversationToWire(c: ConversationWithAgent) {
  return {
    id: c.id,
    user_id: c.visitor.externalUserId ?? '',
    created_at: c.createTime.toISOString(),
    is_finished: c.state === 'CLOSED',
    // Analysed once it has insights (core/insights/); the post-processings are core/post-processing/'s.
    is_analyzed: c.analyzed,
    completed_post_processings: c.completedPostProcessings.filter(isPostProcessing),
    final_message: c.finalMessage,
    service_id: c.agentId ?? '',
    version_set_info: versionSetInfo(c),
    num_messages: c.messageCount,
    tags: tagsOf(c.metadata),
  };
}

export function conversationWithAgentToWire(c: ConversationWithAgent) {
  return { ...conversationToWire(c), agent_name: c.agentName, agent_pfp: null };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function messageToWire(m: Message) {
  const type = typeOfSpeaker(m.speaker);
  const voice = m.metadata.format === 'voice' || m.audioStartOffset !== null;
  return {
    id: m.id,
    interaction_id: text(m.metadata.interactionId) ?? m.id,
    created_at: m.createTime.toISOString(),
    sender: text(m.speakerInfo?.displayName) ?? SENDER_OF_TYPE[type],
    message: m.text,
    format: voice ? 'voice' as const : 'text' as const,
    message_type: type,
  };
}

/** `key:value` → a metadata filter; `*` is any value, an empty value is none. */
function tagFilter(tag: string): MetadataTagFilter {
  const colon = tag.indexOf(':');
  const value = tag.slice(colon + 1);
  return { key: tag.slice(0, colon), value: value === '*' ? null : value };
}

/**
 * A sort key: `+name` ascending, `-name` descending, a bare name ascending. A leading space is a
 * `+` sent unencoded (the query string decodes `+` as a space).
 */
function sortKey(wire: string): { name: string; descending: boolean } {
  const sign = wire[0];
  if (sign === '+' || sign === '-' || sign === ' ') return { name: wire.slice(1), descending: sign === '-' };
  return { name: wire, descending: false };
}

export interface ListConversationsWire {
  user_id?: string[];
  service_id?: string[];
  is_finished?: boolean;
  id?: string[];
  sort_by?: string[];
  tag?: string[];
}

export function conversationQuery(q: ListConversationsWire): ConversationQuery {
  // created_at is the only key, so the first one decides; newest first by default [Parley].
  const first = q.sort_by?.[0];
  return {
    ids: q.id,
    endUsers: q.user_id,
    agentIds: q.service_id,
    closed: q.is_finished,
    tags: q.tag?.map(tagFilter),
    descending: first ? sortKey(first).descending : true,
  };
}

export interface ListMessagesWire {
  id?: string[];
  message_type?: MessageType[];
  interaction_id?: string[];
  sort_by?: string[];
}

export function messageQuery(q: ListMessagesWire): FilteredMessageQuery {
  const types = q.message_type?.length ? q.message_type : DEFAULT_MESSAGE_TYPES;
  return {
    ids: q.id,
    speakers: ROLES.filter((role) => types.includes(typeOfSpeaker(role))),
    interactionIds: q.interaction_id,
    order: (q.sort_by ?? []).map((wire) => {
      const { name, descending } = sortKey(wire);
      return { field: name === 'interaction_id' ? 'interaction' as const : 'createTime' as const, descending };
    }),
  };
}

/** A page in Amigo's shape: the token only when there is more, null otherwise (the vendor's schema requires the key). */
export function pageToWire(next: number | null) {
  return { has_more: next !== null, continuation_token: next };
}

/** The version Parley gives its one tool (the knowledge search) in Amigo's tool-call events. */
const TOOL_VERSION = '1';

/** An action's type on the wire: Parley's one action, the knowledge search, is a tool call. */
export const actionTypeOf = (event: ActionEvent) => (event.phase === 'started' ? 'tool-call-started' : 'tool-call-ended');

/**
 * A turn's event as Amigo's NDJSON line; undefined for an input event on a create (Amigo's create
 * stream has no user-message-available).
 */
export function turnEventToWire(event: TurnEvent, onCreate = false) {
  switch (event.kind) {
    case 'input':
      return onCreate ? undefined : { type: 'user-message-available', message_id: event.messageId, user_message: event.text };
    case 'action':
      return {
        type: 'current-agent-action',
        action: event.phase === 'started'
          ? { type: actionTypeOf(event), tool_round_index: 0, tool_id: event.tool, tool_version: TOOL_VERSION, input_params: event.input }
          : {
            type: actionTypeOf(event), tool_round_index: 0, tool_id: event.tool, tool_version: TOOL_VERSION, input_parameters: event.input,
            result: event.result ?? '', duration: event.durationSeconds ?? 0,
          },
      };
    case 'piece':
      return {
        type: 'new-message', message: event.speech ? event.speech.audio : event.text, transcript_alignment: event.speech?.alignment ?? null,
        stop: event.last, sequence_number: event.sequence, message_id: event.messageId,
      };
    case 'complete':
      return {
        type: 'interaction-complete', message_id: event.messageId, interaction_id: event.interactionId,
        full_message: event.fullMessage, conversation_completed: event.conversationCompleted,
      };
  }
}

/** The in-stream error line: the status the error would have had before the stream began. */
export function errorEventToWire(error: ParleyError) {
  return { type: 'error', http_error_code: AGENT_STATUS[error.code], error_description: error.message };
}

/**
 * Which current-agent-action events a caller wants: `current_agent_action_type` (a regex on the
 * action's type), or the older `emit_current_agent_action_event` (false: none).
 */
export function actionFilter(regex: string | undefined, emit?: boolean): (type: string) => boolean {
  if (emit === false) return () => false;
  try {
    const pattern = new RegExp(regex ?? '^.*$');
    return (type) => pattern.test(type);
  } catch {
    throw invalidArgument('current_agent_action_type', 'must be a valid regular expression');
  }
}

/** A feedback in Parley's wire shape: its content as given, an interaction's with its id. */
export function feedbackToWire(f: AgentFeedback, organization: string) {
  const feedback_content = f.interactionId === null
    ? { comment: String(f.content.comment) }
    : { type: 'interaction_comment' as const, interaction_id: f.interactionId, comment: String(f.content.comment), resolved: f.content.resolved === true };
  return {
    id: f.id, conversation_id: f.conversationId, user_id: f.userId, user_org_id: organization,
    created_at: f.createdAt.toISOString(), updated_at: f.updatedAt.toISOString(), feedback_content,
  };
}

export interface ListFeedbackWire {
  type: 'conversation' | 'interaction';
  conversation_id?: string[];
  interaction_id?: string[];
  sort_by?: string[];
}

// One organization per caller, so user_org_id orders nothing: it is accepted and skipped.
const FEEDBACK_SORT: Record<string, FeedbackSortField | null> = {
  created_at: 'createdAt', user_id: 'userId', user_org_id: null, conversation_id: 'conversationId', 'feedback_content.interaction_id': 'interactionId',
};

export function feedbackQuery(q: ListFeedbackWire): FeedbackListQuery {
  const onInteractions = q.type === 'interaction';
  if (!onInteractions && q.interaction_id?.length) throw invalidArgument('interaction_id', 'only with type=interaction');
  const order: FeedbackListQuery['order'] = [];
  for (const wire of q.sort_by ?? []) {
    const { name, descending } = sortKey(wire);
    if (name === 'feedback_content.interaction_id' && !onInteractions) throw invalidArgument('sort_by', `${name} only with type=interaction`);
    const field = FEEDBACK_SORT[name];
    if (field) order.push({ field, descending });
  }
  return { onInteractions, conversationIds: q.conversation_id, interactionIds: q.interaction_id, order: order.length ? order : [{ field: 'createdAt', descending: false }] };
}

/**
 * An interaction's insights in Amigo's shape. The runtime stays in one state per turn, so its
 * knowledge search is a `recall` transition from that state to itself (with the query the
 * interaction searched) and its calls are the `engage_user` tool-call logs; the outputs are not
 * kept (`null`: the vendor's "ephemeral") because they are the reply message itself.
 */
export function insightsToWire({ record, query }: InteractionInsights) {
  const machine: [string, number] = [record.agentId, record.version];
  const toolCall = (call: RecordedCall) => ({
    tool_name: call.name, tool_id: call.name, tool_version: record.runtime,
    input: call.name === 'knowledge-search' && query !== undefined ? { ...call.input, query } : call.input,
    output: null, duration: call.durationMs / 1000,
  });
  const searched = record.calls.some((c) => c.name === 'knowledge-search') && query !== undefined;
  return {
    current_state_name: record.state.name,
    current_state_action: record.state.action,
    current_state_objective: record.state.objective,
    state_transition_logs: searched
      ? [{
        type: 'recall' as const,
        previous_state: record.state.name, previous_service_hierarchical_state_machine_version_info: machine,
        next_state: record.state.name, next_service_hierarchical_state_machine_version_info: machine,
        performed_queries: [query],
      }]
      : [],
    working_memory: record.passages.map((p) => ({ content: p.text, context: p.heading ? `${p.documentName} › ${p.heading}` : p.documentName })),
    reflections: [],
    triggered_dynamic_behavior_set_version_info: null,
    select_next_action_tool_call_logs: [],
    engage_user_tool_call_logs: record.calls.length ? [record.calls.map(toolCall)] : [],
  };
}
