import { checkAnalysisResult, type AnalysisResult, type Analyzer, type Transcript, type TranscriptRole } from '../../providers/analysis/analyzer.ts';
import { LocalAnalyzer } from '../../providers/analysis/local-analyzer.ts';
import type { AnalysisRow, TranscriptMessage } from '../../store/analyses.ts';
import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import { conversationOrderingKey } from '../../store/jobs.ts';
import { actorOf, conversationById, systemCaller } from '../tenancy/access.ts';
import { failedPrecondition, notFound } from '../../kernel/errors.ts';
import type { Caller, JsonObject } from '../../kernel/types.ts';
import { chatRoleOf } from '../messages/chat-roles.ts';

/** A conversation's current insights (one per conversation; a regeneration replaces them). */
export interface Insights extends AnalysisResult {
  conversationId: string;
  analyzer: string;
  analyzerVersion: string;
  createTime: Date;
}

export const ANALYSIS_QUEUE = 'analysis';
/** The last messages an analysis reads; the end of a conversation decides how it went. */
export const ANALYSIS_MAX_MESSAGES = 1000;

/** At most one queued analysis per conversation: a second close or regenerate while it waits is the same work. */
function analysisUniqueKey(customerId: string, conversationId: string): string {
  return `${customerId}/${conversationId}`;
}

/** A message's chat role (core/messages/chat-roles.ts); a tool result is not a party either, so it reads as a system line. */
function transcriptRole(m: TranscriptMessage): TranscriptRole {
  const role = chatRoleOf(m.speaker, m.role);
  return role === 'tool' ? 'system' : role;
}

export function toTranscript(messages: readonly TranscriptMessage[]): Transcript {
  return messages.map((m) => ({ role: transcriptRole(m), text: m.text }));
}

function toInsights(row: AnalysisRow): Insights {
  const { customerId: _c, jobId: _j, ...insights } = row;
  return insights;
}

/** The ANALYSIS_COMPLETE payload: the insights themselves (the webhook reactor sends them as `insights.generated`). */
function eventPayload(row: AnalysisRow): JsonObject {
  const { conversationId: _id, createTime, ...rest } = toInsights(row);
  return { insights: { ...rest, issues: rest.issues.map((i) => ({ ...i })), createTime: createTime.toISOString() } };
}

export type AnalysisOutcome = 'analysed' | 'already-done' | 'conversation-gone' | 'nothing-to-analyse';

export class InsightsService {
  constructor(
    private readonly db: Driver,
    private readonly analyzer: Analyzer = new LocalAnalyzer(),
  ) {}

  /** The analyzer this process uses (the local one unless an LLM is configured). */
  get analyzerName(): string {
    return `${this.analyzer.name}/${this.analyzer.version}`;
  }

  /** The conversation's insights, or null while none exist. Another tenant's conversation is NOT_FOUND. */
  async get(caller: Caller, conversationId: string): Promise<Insights | null> {
    const s = stores(this.db);
    const conversation = await s.conversations.getConversation(conversationById(caller, conversationId));
    if (!conversation) throw notFound('conversation');
    const row = await s.analyses.getAnalysis(conversation.customerId, conversation.id);
    return row ? toInsights(row) : null;
  }

  /**
   * Queues a fresh analysis, which replaces the current insights when it completes. A conversation
   * without messages has nothing to analyse: FAILED_PRECONDITION.
   */
  async regenerate(caller: Caller, conversationId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await s.conversations.getConversation(conversationById(caller, conversationId));
      if (!conversation) throw notFound('conversation');
      if (conversation.messageCount === 0) throw failedPrecondition('conversation has no messages to analyse');
      await enqueueAnalysis(s, conversation.customerId, conversation.id, 'regenerate');
    });
  }

  /**
   * The analysis job's work: read the transcript, run the analyzer (outside any transaction: an
   * LLM may take seconds), then store the insights and append ANALYSIS_COMPLETE in ONE transaction.
   * `jobId` makes it idempotent: a retry of a job whose transaction committed writes nothing.
   */
  async analyze(customerId: string, conversationId: string, jobId: string, signal: AbortSignal): Promise<AnalysisOutcome> {
    const s = stores(this.db);
    const existing = await s.analyses.getAnalysis(customerId, conversationId);
    if (existing?.jobId === jobId) return 'already-done';
    const transcript = toTranscript(await s.analyses.listTranscript(customerId, conversationId, ANALYSIS_MAX_MESSAGES));
    if (!transcript.some((t) => t.role !== 'system' && t.text.trim() !== '')) {
      return (await s.conversations.getConversation({ customerId, id: conversationId })) ? 'nothing-to-analyse' : 'conversation-gone';
    }
    // Checked whatever the analyzer: the stored insights always have the documented shape and limits.
    const result = checkAnalysisResult(await this.analyzer.analyze(transcript, { signal }));
    return this.db.transaction(async (tx) => {
      const t = stores(tx);
      // Lock the conversation first (as every mutation does), then look again: another run may have committed meanwhile.
      const conversation = await t.conversations.getConversation({ customerId, id: conversationId }, { forUpdate: true });
      if (!conversation) return 'conversation-gone';
      const current = await t.analyses.getAnalysis(customerId, conversationId);
      if (current?.jobId === jobId) return 'already-done';
      const row = await t.analyses.upsertAnalysis({
        customerId, conversationId, ...result, analyzer: this.analyzer.name, analyzerVersion: this.analyzer.version, jobId,
      });
      await t.events.appendEvents(customerId, conversationId, actorOf(systemCaller(customerId)), [
        { type: 'ANALYSIS_COMPLETE', payload: eventPayload(row) },
      ]);
      return 'analysed';
    });
  }
}

/** Enqueues the analysis job in the caller's transaction. */
export async function enqueueAnalysis(s: Stores, customerId: string, conversationId: string, reason: 'close' | 'regenerate'): Promise<void> {
  await s.jobs.enqueueJobs([{
    queue: ANALYSIS_QUEUE,
    customerId,
    payload: { conversationId, reason },
    orderingKey: conversationOrderingKey(conversationId),
    uniqueKey: analysisUniqueKey(customerId, conversationId),
  }]);
}

/** Whether the conversation already has insights (a second close does not analyse again). */
export async function hasAnalysis(s: Stores, customerId: string, conversationId: string): Promise<boolean> {
  return (await s.analyses.getAnalysis(customerId, conversationId)) !== undefined;
}
