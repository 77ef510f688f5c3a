import type { AnalysisResult, Analyzer, Transcript } from './analyzer.ts';
import { issuesOf } from './issues.ts';
import { loadNlp, readSentences } from './nlp.ts';
import { conversationSentiment } from './sentiment.ts';
import { summaryOf } from './summary.ts';
import { taskCompleted, type Turn } from './task-completion.ts';
import { topicsOf } from './topics.ts';

/**
 * The embedded analyzer: wink-nlp's English model (tokens, lemmas, parts of speech, negation,
 * sentiment lexicon) plus support-conversation cues. Runs offline, in-process, ~1 ms a turn.
 * Accuracy on the labelled set is in bench/RESULTS.md (bench/insights-accuracy.ts).
 */
export class LocalAnalyzer implements Analyzer {
  readonly name = 'local';
  readonly version = '1';

  async analyze(transcript: Transcript, opts: { signal: AbortSignal }): Promise<AnalysisResult> {
    opts.signal.throwIfAborted();
    await loadNlp();
    return analyzeTranscript(transcript);
  }
}

/** Synchronous analysis; the model must be loaded (loadNlp). */
export function analyzeTranscript(transcript: Transcript): AnalysisResult {
  const turns: Turn[] = transcript
    .filter((t): t is { role: 'user' | 'assistant'; text: string } => t.role !== 'system' && t.text.trim() !== '')
    .map((t) => ({ role: t.role, sentences: readSentences(t.text) }));
  const userTurns = turns.filter((t) => t.role === 'user');
  const { sentiment, score } = conversationSentiment(userTurns.map((t) => t.sentences));
  const completed = taskCompleted(turns);
  const summary = summaryOf(turns, { taskCompleted: completed, sentiment });
  const firstRequest = userTurns.flatMap((t) => t.sentences).find((s) => s.tokens.length >= 3);
  return {
    sentiment,
    sentimentScore: score,
    taskCompleted: completed,
    topics: topicsOf(turns),
    summary,
    issues: issuesOf(userTurns.flatMap((t) => t.sentences), completed || !firstRequest ? null : { request: firstRequest.text.trim() }),
  };
}
