import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { JsonObject } from '../../kernel/types.ts';
import { LlmError } from '../../providers/llm/llm-error.ts';
import { ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Caller, Message, Role } from '../../kernel/types.ts';
import { actorOf } from '../tenancy/access.ts';
import type { AppendPath } from '../messages/append.ts';
import type { NewMessage } from '../../store/messages.ts';
import { AGENT_LIMITS } from '../agents/agent-input.ts';
import type { KnowledgePassage, KnowledgeService } from '../agents/knowledge.ts';
import type { Answerer, TurnRecord } from '../agents/runtime/answerer.ts';
import { historyOf, type RunningAgent } from './agent-profile.ts';
import { storedRecordOf } from './interaction-record.ts';
import type { TurnEvent, TurnInputType } from './turn-events.ts';

/** Passages a turn retrieves from the knowledge base, best first. */
export const TURN_PASSAGES = 5;

/** The speaker a turn's input is stored as: the end user, or a system line for an external event. */
export const SPEAKER_OF_INPUT: Record<TurnInputType, Role> = { 'user-message': 'VISITOR', 'external-event': 'SYSTEM' };

export interface TurnInput {
  type: TurnInputType;
  text: string;
  /** The id the input message is stored under (told to the caller before the reply). */
  messageId: string;
  /** Stored on the input message over the defaults (a voice message's format and recording). */
  metadata?: JsonObject;
  /**
   * The input is stored already (a question asked for a later reply), at this seq: only the reply
   * is written, and the history the runtime reads ends before it.
   */
  storedAt?: number;
}

/** What a turn that settles in its own transaction hands the settling step. */
export interface TurnOutcome {
  reply: Message;
  /** The agent version that answered. */
  agent: RunningAgent;
  /** The runtime's word on whether its knowledge answered (undefined when it says nothing). */
  answeredFromKnowledge: boolean | undefined;
}

export interface TurnContext {
  db: Driver;
  appends: AppendPath;
  answerer: Answerer;
  knowledge: KnowledgeService;
  caller: Caller;
  customerId: string;
  conversationId: string;
  /** The claim this turn holds (claimInteraction): the fencing token it persists under. */
  interactionId: string;
  agent: RunningAgent;
  /** Absent: the agent's opening turn (its greeting). */
  input?: TurnInput;
  /** The knowledge search for the input, already under way (InteractionService.searchAhead); else the turn searches. */
  passages?: Promise<KnowledgePassage[]>;
  signal: AbortSignal;
  /**
   * A simulation (re-running an earlier interaction): the history before it (`beforeSeq`), and
   * nothing persisted, no claim held or given back.
   */
  simulation?: { beforeSeq: number };
  /** Stored on the reply over the defaults (a spoken reply's format and synthesizer). */
  replyMetadata?: JsonObject;
  /**
   * More to write with the turn, in the same transaction (the support desk: completing the
   * question's awaited reply, a handoff). With it, the turn is stored in its own transaction
   * instead of through group commit.
   */
  settle?: (s: Stores, outcome: TurnOutcome) => Promise<void>;
}

/** A failure of the runtime as a catalogue error: the provider's is UNAVAILABLE (the client may retry the turn). */
export function asParleyError(err: unknown, signal: AbortSignal): ParleyError {
  if (err instanceof ParleyError) return err;
  if (signal.aborted) return new ParleyError('ABORTED', 'the interaction was cancelled', {}, { cause: err });
  if (err instanceof LlmError) return new ParleyError('UNAVAILABLE', `the agent could not answer: ${err.message}`, {}, { cause: err });
  return new ParleyError('INTERNAL', 'the agent failed while answering', {}, { cause: err });
}

const cancelled = () => new ParleyError('ABORTED', 'the interaction was cancelled');

/**
 * One turn: the reply streamed out as the runtime makes it, then the input and the reply appended
 * through the one append path with their events, the claim given back and the turn's record
 * written, all in ONE statement (group commit: with the other turns and appends of the moment).
 * Nothing is written before it, so a provider failure or a cancelled signal (the client went
 * away) mid-stream leaves no trace of the turn. The claim is given back on every path (its lease
 * is the backstop when the process dies).
 *
 * The last piece is held back until the next arrives (or the reply ends), so that it can carry
 * `last`; the complete event comes only after the commit.
 */
export async function* runTurn(ctx: TurnContext): AsyncGenerator<TurnEvent> {
  const { db, caller, customerId, conversationId, interactionId, agent, input, signal } = ctx;
  let persisted = false;
  try {
    if (input) yield { kind: 'input', messageId: input.messageId, text: input.text };
    const replyId = newId();
    let pieces: AsyncIterable<string>;
    let record: TurnRecord | undefined;
    let search: { durationMs: number; passages: number } | undefined;
    if (!input) {
      pieces = ctx.answerer.greet(agent.profile, signal);
    } else {
      const query = input.text.slice(0, AGENT_LIMITS.searchQuery);
      yield { kind: 'action', phase: 'started', tool: 'knowledge-search', input: { query } };
      const started = performance.now();
      const passages = await (ctx.passages ?? ctx.knowledge.searchVersion(agent.version, query, TURN_PASSAGES));
      const durationMs = performance.now() - started;
      search = { durationMs: Math.round(durationMs), passages: passages.length };
      yield {
        kind: 'action', phase: 'ended', tool: 'knowledge-search', input: { query },
        result: JSON.stringify(passages.map((p) => ({ document: p.documentName, heading: p.heading, text: p.text }))),
        durationSeconds: durationMs / 1000,
      };
      // The local agent answers from the passages alone: the history is read only for a runtime that uses it.
      const history = ctx.answerer.readsHistory === false ? [] : await historyOf(db, customerId, conversationId, ctx.simulation?.beforeSeq ?? input.storedAt);
      pieces = ctx.answerer.answer({
        agent: agent.profile, history, question: input.text, passages, signal, record: (r) => { record = r; },
      });
    }
    let held: string | undefined;
    let sequence = 0;
    let full = '';
    for await (const piece of pieces) {
      if (signal.aborted) throw cancelled();
      if (piece === '') continue;
      if (held !== undefined) yield { kind: 'piece', messageId: replyId, text: held, sequence: sequence++, last: false };
      held = piece;
      full += piece;
    }
    // A runtime that stops quietly when cancelled must not have its part-reply persisted.
    if (signal.aborted) throw cancelled();
    if (held === undefined || full.trim() === '') throw new ParleyError('UNAVAILABLE', 'the agent gave an empty reply');
    yield { kind: 'piece', messageId: replyId, text: held, sequence, last: true };

    if (ctx.simulation) {
      yield { kind: 'complete', messageId: replyId, interactionId, fullMessage: full, conversationCompleted: false };
      return;
    }
    const metadata = {
      interactionId, format: 'text', runtime: ctx.answerer.name, ...(record ? { answeredFromKnowledge: record.answeredFromKnowledge } : {}), ...ctx.replyMetadata,
    };
    const messages: NewMessage[] = [];
    if (input && input.storedAt === undefined) {
      messages.push({
        id: input.messageId, text: input.text, speaker: SPEAKER_OF_INPUT[input.type], state: 'FINAL',
        metadata: { interactionId, format: 'text', messageType: input.type, ...input.metadata },
      });
    }
    messages.push({ id: replyId, text: full, speaker: 'VIRTUAL_AGENT', state: 'FINAL', speakerInfo: { displayName: agent.profile.name }, metadata });
    const stored = storedRecordOf(agent, ctx.answerer.name, search, record) as unknown as JsonObject;
    const request = { ref: { customerId, id: conversationId }, actor: actorOf(caller), messages, interaction: { interactionId, record: stored } };
    const lost = () => new ParleyError('ABORTED', 'the conversation was finished or deleted during the interaction, or another interaction took it over');
    const settle = ctx.settle;
    if (settle) {
      await db.transaction(async (tx) => {
        const appended = await ctx.appends.inTransaction(tx, request);
        if (appended.length !== messages.length) throw lost();
        await settle(stores(tx), { reply: appended[appended.length - 1], agent, answeredFromKnowledge: record?.answeredFromKnowledge });
      });
    } else {
      const appended = await ctx.appends.grouped(request);
      if (appended.length !== messages.length) throw lost();
    }
    persisted = true;
    yield { kind: 'complete', messageId: replyId, interactionId, fullMessage: full, conversationCompleted: false };
  } catch (err) {
    throw asParleyError(err, signal);
  } finally {
    if (!persisted && !ctx.simulation) await stores(db).interactions.releaseInteraction(customerId, conversationId, interactionId).catch(() => undefined);
  }
}
