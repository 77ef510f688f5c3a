import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import { failedPrecondition, invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Caller, Conversation, JsonObject, MetadataValues } from '../../kernel/types.ts';
import { moveTo, remove, startIn } from '../conversations/lifecycle.ts';
import { visibleConversation } from '../tenancy/access.ts';
import { checkMessage } from '../messages/append.ts';
import { AGENT_LIMITS } from '../agents/agent-input.ts';
import type { AppendPath } from '../messages/append.ts';
import type { AgentService, VersionSelector } from '../agents/agents.ts';
import type { KnowledgePassage, KnowledgeService } from '../agents/knowledge.ts';
import type { Answerer } from '../agents/runtime/answerer.ts';
import { historyOf, RunningAgents, type RunningAgent } from './agent-profile.ts';
import { insightsOf, type InteractionInsights } from './interaction-record.ts';
import { asParleyError, runTurn, SPEAKER_OF_INPUT, TURN_PASSAGES, type TurnContext, type TurnInput } from './run-turn.ts';
import type { TurnEvent, TurnInputType } from './turn-events.ts';
import type { RecordingHints } from '../../audio/voice-recording.ts';
import type { Transcriber } from '../../providers/asr/transcriber.ts';
import type { Synthesizer } from '../../providers/tts/synthesizer.ts';
import type { BlobStore } from '../../providers/blobs/blob-store.ts';
import { readRecording, requireSynthesizer, requireTranscriber, transcribeRecording } from './voice.ts';
import { discardUnlessStored, keepRecording, speakTurn, type ReplyFormat } from './voice-turn.ts';

export type { TurnEvent, TurnInputType, ReplyFormat };

/**
 * How long a claim on a conversation lasts when its process dies mid-turn (a live turn gives it
 * back as it ends): the conversation refuses interactions (409) for at most this long after a
 * crash. Above the longest turn the LLM provider allows (PARLEY_LLM_TIMEOUT_MS ≤ 150 s per wait).
 */
export const INTERACTION_LEASE_SECONDS = 300;

/** Passages a recommendation reads: the related ones first, then the knowledge in order; the answerer keeps a few. */
const RECOMMEND_PASSAGES = 10;

export interface CreateInteractive {
  agentId: string;
  /** `release` (the default), `edge`, or a version number. */
  versionSet?: VersionSelector;
  initialMessage?: { type: TurnInputType; text: string };
  /** Amigo's tags: the conversation's metadata, a key with one value or none. */
  tags?: Record<string, string | null>;
  /** `voice`: the reply spoken (refused at once when no synthesizer is configured). */
  replyFormat?: ReplyFormat;
}

/** A message in voice: the recording as uploaded, and what the request says of its format. */
export interface VoiceMessage {
  type: TurnInputType;
  recording: Buffer;
  hints: RecordingHints;
}

/** The speech providers and where recordings are kept (createCore passes the configured ones). */
export interface VoiceProviders {
  transcriber: Transcriber | null;
  synthesizer: Synthesizer | null;
  blobs: BlobStore;
}

/** What a surface adds to a text turn beyond the agent surface's defaults (the support desk's). */
export interface TurnExtras {
  /** Stored on the input and on the reply message, over the defaults. */
  inputMetadata?: JsonObject;
  replyMetadata?: JsonObject;
  /** Written with the turn, in its transaction (run-turn.ts TurnContext.settle). */
  settle?: TurnContext['settle'];
  /** The input is the message stored already under this id at this seq: only the reply is written. */
  stored?: { messageId: string; seq: number };
}

/** A turn the caller streams: its events, in order; the generator persists the turn before its last event. */
export interface StartedTurn {
  conversationId: string;
  events: AsyncGenerator<TurnEvent>;
}

/** The end user a caller speaks for: a sign-in token's, else none (a plain API key). */
const endUserOf = (caller: Caller) => caller.endUser?.externalId ?? '';

const finished = () => new ParleyError('ABORTED', 'the conversation is finished');
const running = () => new ParleyError('ABORTED', 'another interaction with this conversation is in progress');

function checkInput(input: { type: TurnInputType; text: string }, field: string): TurnInput {
  const checked = checkMessage({ text: input.text.trim(), speaker: SPEAKER_OF_INPUT[input.type] }, 0, field);
  return { type: input.type, text: checked.text, messageId: checked.id };
}

function checkTags(tags: Record<string, string | null>): MetadataValues {
  const entries = Object.entries(tags);
  if (entries.length > 20) throw invalidArgument('tags', 'at most 20 tags');
  for (const [key, value] of entries) {
    if (!/^[\w ]+$/.test(key.trim()) || key.length > 100) throw invalidArgument('tags', `tag key "${key}" must be letters, digits, underscores or spaces`);
    if (value !== null && (value.trim() === '' || value.length > 100)) throw invalidArgument('tags', `tag "${key}": a value is 1 to 100 characters, or null`);
  }
  return Object.fromEntries(entries.map(([key, value]) => [key.trim(), { values: value === null ? [] : [value.trim()] }]));
}

/**
 * Interactions (DESIGN core/interactions): a turn is the end user's message in (or an external
 * event), the agent runtime's reply streamed out, then both persisted with their events in one
 * transaction (run-turn.ts). One interaction at a time per conversation, across processes: a turn
 * first claims the conversation (store/interactions.ts, a row with a lease), and a second one is
 * ABORTED (409) until the first gives its claim back.
 */
export class InteractionService {
  private readonly running: RunningAgents;

  constructor(
    private readonly db: Driver,
    private readonly deps: { appends: AppendPath; answerer: Answerer; agents: AgentService; knowledge: KnowledgeService; voice: VoiceProviders },
  ) {
    this.running = new RunningAgents(db);
  }

  /** The runtime in use (local retrieval, or the LLM's model). */
  get runtime(): string {
    return this.deps.answerer.name;
  }

  /**
   * Starts a conversation with an agent as the caller's end user, in the agent's profile, with the
   * version its set names now recorded on it, then runs the agent's first turn: the answer to the
   * initial message when there is one, else the greeting. Refused (FAILED_PRECONDITION) while the
   * end user has an unfinished conversation with the agent.
   */
  async create(caller: Caller, request: CreateInteractive, signal: AbortSignal): Promise<StartedTurn> {
    const synthesizer = this.replySynthesizer(request.replyFormat);
    const input = request.initialMessage ? checkInput(request.initialMessage, 'initial_message') : undefined;
    const metadata = checkTags(request.tags ?? {});
    const user = endUserOf(caller);
    const scope = { customerId: caller.customerId, profileId: caller.profileId, agentId: caller.agentId, what: 'service' };
    const interactionId = newId();
    const { conversation, version } = await this.db.transaction(async (tx) => {
      const s = stores(tx);
      // The agent's row lock serialises creates with it, so the one-open-conversation rule holds across processes.
      const agent = await this.deps.agents.get(scope, request.agentId, tx, { forUpdate: true });
      if (user) {
        const open = await s.interactions.openConversationOf(caller.customerId, agent.id, user);
        if (open) throw failedPrecondition(`the user has an unfinished conversation ${open} with this service; finish it first`);
      }
      const start = {
        visitor: user ? { externalUserId: user } : {}, endUserId: caller.endUser?.id ?? null, channel: 'CHAT' as const, source: 'AI_AGENT' as const, metadata,
      };
      const { conversation: created } = await startIn(s, caller, caller.customerId, agent.profileId, undefined, start, { source: 'AI_AGENT', channel: 'CHAT' });
      const recorded = await this.deps.agents.recordConversationVersion(scope, created.id, agent.id, request.versionSet ?? 'release', tx);
      await s.interactions.claimInteraction(caller.customerId, created.id, interactionId, INTERACTION_LEASE_SECONDS);
      return { conversation: created, version: recorded };
    });
    let agent: RunningAgent;
    try {
      agent = await this.running.recorded(caller.customerId, version.agentId, version.version, undefined, conversation.id);
    } catch (err) {
      await stores(this.db).interactions.releaseInteraction(caller.customerId, conversation.id, interactionId).catch(() => undefined);
      throw err;
    }
    return { conversationId: conversation.id, events: this.turn(caller, conversation.id, interactionId, agent, input, signal, synthesizer) };
  }

  /**
   * Claims the conversation for a turn and returns it ready to stream. Refused before anything is
   * streamed: NOT_FOUND, ABORTED when it is finished or another interaction holds it. A voice
   * message is read before (unsupported audio changes nothing), then transcribed under the claim
   * and its recording kept with the turn (voice-turn.ts).
   */
  async interact(
    caller: Caller, conversationId: string, input: { type: TurnInputType; text: string } | VoiceMessage, signal: AbortSignal,
    options: { replyFormat?: ReplyFormat; extras?: TurnExtras } = {},
  ): Promise<StartedTurn> {
    const synthesizer = this.replySynthesizer(options.replyFormat);
    const extras = options.extras;
    let checked = 'text' in input ? checkInput(input, 'recorded_message') : undefined;
    if (checked && extras?.stored) checked = { ...checked, messageId: extras.stored.messageId, storedAt: extras.stored.seq };
    if (checked && extras?.inputMetadata) checked = { ...checked, metadata: { ...checked.metadata, ...extras.inputMetadata } };
    const recording = 'recording' in input ? await readRecording(input.recording, input.hints) : undefined;
    const transcriber = recording ? requireTranscriber(this.deps.voice.transcriber) : null;
    const interactionId = newId();
    const target = { customerId: caller.customerId, conversationId, profileId: caller.profileId, agentId: caller.agentId };
    // A text turn on a conversation this process has seen searches while it claims: one round trip
    // less before the first piece. Its passages are used only once the claim says the caller may.
    const search = checked ? this.searchAhead(caller.customerId, conversationId, checked.text) : undefined;
    const start = await stores(this.db).interactions.startTurn(target, interactionId, INTERACTION_LEASE_SECONDS);
    if (!start) throw notFound('conversation');
    if (start.state === 'CLOSED') throw finished();
    if (!start.claimed) throw running();
    let agent: RunningAgent;
    let kept: string | undefined;
    let passages: Promise<KnowledgePassage[]> | undefined;
    try {
      agent = await this.running.recorded(caller.customerId, start.agentId, start.agentVersion, undefined, conversationId);
      const ahead = await search;
      if (ahead?.agent === agent) passages = ahead.passages;
      if (recording && transcriber) {
        const text = await transcribeRecording(transcriber, recording, { signal });
        const heard = checkInput({ type: input.type, text }, 'body');
        const at = { customerId: caller.customerId, conversationId, messageId: heard.messageId };
        const { key, metadata } = await keepRecording(this.deps.voice.blobs, at, recording, transcriber.name);
        kept = key;
        checked = { ...heard, metadata };
      }
    } catch (err) {
      await stores(this.db).interactions.releaseInteraction(caller.customerId, conversationId, interactionId).catch(() => undefined);
      throw err;
    }
    const events = this.turn(caller, conversationId, interactionId, agent, checked, signal, synthesizer, passages, extras);
    const blobs = this.deps.voice.blobs;
    return { conversationId, events: kept ? discardUnlessStored(events, () => blobs.delete(kept)) : events };
  }

  /** The knowledge search of a turn, started before its claim when the conversation's agent is known here. */
  private async searchAhead(customerId: string, conversationId: string, text: string): Promise<{ agent: RunningAgent; passages: Promise<KnowledgePassage[]> } | undefined> {
    const agent = await this.running.seen(customerId, conversationId);
    if (!agent) return undefined;
    const passages = this.deps.knowledge.searchVersion(agent.version, text.slice(0, AGENT_LIMITS.searchQuery), TURN_PASSAGES);
    // Awaited by the turn, or dropped when the claim refuses it: never an unhandled rejection.
    passages.catch(() => undefined);
    return { agent, passages };
  }

  /** The synthesizer a reply format needs: none for text; for voice, the configured one or FAILED_PRECONDITION. */
  private replySynthesizer(format: ReplyFormat | undefined): Synthesizer | null {
    return format === 'voice' ? requireSynthesizer(this.deps.voice.synthesizer) : null;
  }

  /**
   * Finishes a conversation through the lifecycle (closed, COMPLETED). ABORTED when it is finished
   * or an interaction runs; FAILED_PRECONDITION when it has messages but none from an interaction.
   * One without any message is deleted, as Amigo does.
   */
  async finish(caller: Caller, conversationId: string): Promise<void> {
    const claim = newId();
    const s = stores(this.db);
    const conversation = await this.visible(s, caller, conversationId);
    if (conversation.state === 'CLOSED') throw finished();
    // Finishing holds the claim too, so no turn starts while it closes.
    if (!(await s.interactions.claimInteraction(caller.customerId, conversationId, claim, INTERACTION_LEASE_SECONDS))) throw running();
    try {
      await this.db.transaction(async (tx) => {
        const t = stores(tx);
        const current = await t.conversations.getConversation({ customerId: caller.customerId, id: conversationId }, { forUpdate: true });
        if (!current) throw notFound('conversation');
        if (current.state === 'CLOSED') throw finished();
        if (current.messageCount === 0) return remove(t, caller, current);
        if (!(await t.interactions.hasInteractions(caller.customerId, conversationId))) {
          throw failedPrecondition('the conversation has no interactions');
        }
        await moveTo(t, caller, current, 'CLOSED', { closeReason: 'COMPLETED', payload: { by: 'finish' } });
      });
    } finally {
      await s.interactions.releaseInteraction(caller.customerId, conversationId, claim).catch(() => undefined);
    }
  }

  /**
   * What the end user might say next (Amigo's recommended responses), from the runtime: the
   * conversation so far and the knowledge related to its last turn. Only for the latest completed
   * interaction of an unfinished conversation (FAILED_PRECONDITION otherwise); writes nothing.
   */
  async recommend(caller: Caller, conversationId: string, interactionId: string, context: string | undefined, signal: AbortSignal): Promise<string[]> {
    const s = stores(this.db);
    const conversation = await this.visible(s, caller, conversationId);
    if (conversation.state === 'CLOSED') throw failedPrecondition('the conversation is finished');
    if ((await s.interactions.latestInteractionOf(caller.customerId, conversationId)) !== interactionId) {
      throw failedPrecondition(`interaction ${interactionId} is not the latest completed interaction of the conversation`);
    }
    const agent = await this.running.of(caller.customerId, conversationId);
    const history = await historyOf(this.db, caller.customerId, conversationId);
    const lastTurn = history.slice(-2).map((t) => t.text).join('\n').slice(0, AGENT_LIMITS.searchQuery);
    const related = await this.deps.knowledge.searchVersion(agent.version, lastTurn, TURN_PASSAGES);
    // Then the rest of the knowledge in its order, so a last turn the knowledge says little about still gets suggestions.
    const rest = await s.knowledge.listPassages(caller.customerId, agent.agentId, agent.version.documentIds, RECOMMEND_PASSAGES);
    const seen = new Set(related.map((p) => `${p.documentId}/${p.position}`));
    const passages = [...related, ...rest.filter((p) => !seen.has(`${p.documentId}/${p.position}`))].slice(0, RECOMMEND_PASSAGES);
    try {
      return await this.deps.answerer.recommend({ agent: agent.profile, history, passages, context, signal });
    } catch (err) {
      throw asParleyError(err, signal);
    }
  }

  /**
   * Re-runs an interaction (Amigo's simulate): its input answered again by the agent, at the
   * version the conversation runs or `agentVersion`, with the conversation as it was before it.
   * Streams like interact and persists nothing (no messages, no events, no claim), so it runs
   * beside a live interaction and on a finished conversation. An interaction without an input
   * (the opening turn) is greeted again.
   */
  async simulate(caller: Caller, conversationId: string, interactionId: string, options: { agentVersion?: number }, signal: AbortSignal): Promise<StartedTurn> {
    const s = stores(this.db);
    await this.visible(s, caller, conversationId);
    const messages = await s.filteredLists.listMessagesFiltered(caller.customerId, conversationId, { interactionIds: [interactionId], order: [] }, 0, 10);
    const ran = messages.filter((m) => m.metadata.interactionId === interactionId);
    if (ran.length === 0) throw notFound('interaction');
    const agent = await this.running.of(caller.customerId, conversationId, options.agentVersion);
    const first = ran[0];
    const inputType = (Object.keys(SPEAKER_OF_INPUT) as TurnInputType[]).find((type) => SPEAKER_OF_INPUT[type] === first.speaker);
    const input = inputType ? { type: inputType, text: first.text, messageId: first.id } : undefined;
    return {
      conversationId,
      events: runTurn({
        db: this.db, appends: this.deps.appends, answerer: this.deps.answerer, knowledge: this.deps.knowledge,
        caller, customerId: caller.customerId, conversationId, interactionId, agent, input, signal, simulation: { beforeSeq: first.seq },
      }),
    };
  }

  /**
   * What an interaction's answer was made from (Amigo's interaction insights): the state the agent
   * ran in, the passages it retrieved, its searches and provider calls. NOT_FOUND for an
   * interaction the conversation does not have (or a simulated one: nothing of it is stored).
   */
  async insights(caller: Caller, conversationId: string, interactionId: string): Promise<InteractionInsights> {
    const s = stores(this.db);
    await this.visible(s, caller, conversationId);
    const record = await s.interactions.getInteractionRecord(caller.customerId, conversationId, interactionId);
    if (!record) throw notFound('interaction');
    const messages = await s.filteredLists.listMessagesFiltered(caller.customerId, conversationId, { interactionIds: [interactionId], order: [] }, 0, 10);
    const inputSpeakers = new Set(Object.values(SPEAKER_OF_INPUT));
    return insightsOf(record, messages.find((m) => m.metadata.interactionId === interactionId && inputSpeakers.has(m.speaker)));
  }

  /** A conversation the caller may reach (its customer, its narrowed profile or agent); NOT_FOUND otherwise. */
  private visible(s: Stores, caller: Caller, conversationId: string): Promise<Conversation> {
    return visibleConversation(s, caller, conversationId);
  }

  private turn(
    caller: Caller, conversationId: string, interactionId: string, agent: RunningAgent, input: TurnInput | undefined, signal: AbortSignal,
    synthesizer: Synthesizer | null = null, passages?: Promise<KnowledgePassage[]>, extras?: TurnExtras,
  ): AsyncGenerator<TurnEvent> {
    const spoken = synthesizer ? { format: 'voice', synthesizer: synthesizer.name } : undefined;
    const events = runTurn({
      db: this.db, appends: this.deps.appends, answerer: this.deps.answerer, knowledge: this.deps.knowledge,
      caller, customerId: caller.customerId, conversationId, interactionId, agent, input, signal, passages,
      replyMetadata: spoken || extras?.replyMetadata ? { ...extras?.replyMetadata, ...spoken } : undefined,
      settle: extras?.settle,
    });
    return synthesizer ? speakTurn(events, synthesizer, signal) : events;
  }
}
