import type { AnalysisResult, Analyzer, Transcript } from './analyzer.ts';
import { readConversation, type Lens } from './features.ts';
import { foreignLens, foreignTopics, toForeignTurns } from './foreign-reader.ts';
import { issuesOf } from './issues.ts';
import { detectLanguage } from './language.ts';
import { judgeSentiment, judgeTask } from './model.ts';
import { loadNlp, readSentences } from './nlp.ts';
import { summaryOf } from './summary.ts';
import type { Turn } from './task-completion.ts';
import { topicsOf } from './topics.ts';

/**
 * The embedded analyzer. It detects the conversation's language (language.ts) and reads English
 * with wink-nlp's model (tokens, lemmas, parts of speech, negation, sentiment lexicon) and
 * support-chat cues (cues/), German, French and Spanish with cue lists of their own
 * (foreign-reader.ts); two small models trained on the labelled set judge the result (model.ts).
 * Other languages are not analysed (notAnalysed). Offline, in-process, a few ms a conversation;
 * accuracy per part of the labelled set is in bench/RESULTS.md (bench/insights-accuracy.ts).
 */
export class LocalAnalyzer implements Analyzer {
  readonly name = 'local';
  readonly version = '2';

  async analyze(transcript: Transcript, opts: { signal: AbortSignal }): Promise<AnalysisResult> {
    opts.signal.throwIfAborted();
    await loadNlp();
    return analyzeTranscript(transcript);
  }
}

/** The user and assistant turns with text, read into sentences; system lines are not a party. */
export function toTurns(transcript: Transcript): Turn[] {
  return transcript
    .filter((t): t is { role: 'user' | 'assistant'; text: string } => t.role !== 'system' && t.text.trim() !== '')
    .map((t) => ({ role: t.role, sentences: readSentences(t.text) }));
}

/**
 * What the analyzer returns for a language it does not read: no feeling claimed (neutral, score 0),
 * the task not claimed done, no topics or issues, and a summary that says why. An LLM analyzer
 * (PARLEY_LLM_BASE_URL, PARLEY_LLM_MODEL) reads any language its model does.
 */
export function notAnalysed(languageCode: string): AnalysisResult {
  return {
    sentiment: 'neutral',
    sentimentScore: 0,
    taskCompleted: false,
    topics: [],
    summary: `Not analysed: the conversation's language (${languageCode}) is not one the local analyzer reads (English, German, French, Spanish).`,
    issues: [],
  };
}

/** Synchronous analysis; the model must be loaded (loadNlp). */
export function analyzeTranscript(transcript: Transcript): AnalysisResult {
  const language = detectLanguage(transcript);
  if (!language.analysed) return notAnalysed(language.code);
  const english = language.code === 'en';
  const foreign = english ? undefined : (language.code as 'de' | 'fr' | 'es');
  const turns = foreign ? toForeignTurns(transcript) : toTurns(transcript);
  const lens: Lens | undefined = foreign ? foreignLens(foreign) : undefined;
  const reading = readConversation(turns, lens);
  const userTurns = turns.filter((t) => t.role === 'user');
  const { sentiment, score } = judgeSentiment(reading);
  const completed = judgeTask(reading);
  const firstRequest = userTurns.flatMap((t) => t.sentences).find((s) => s.tokens.length >= 3);
  return {
    sentiment,
    sentimentScore: score,
    taskCompleted: completed,
    topics: foreign ? foreignTopics(turns, foreign) : topicsOf(turns),
    summary: summaryOf(turns, { taskCompleted: completed, sentiment }),
    issues: issuesOf(
      userTurns.map((t, i) => ({ sentences: t.sentences, feeling: reading.feelings[i] })),
      completed || !firstRequest ? null : { request: firstRequest.text.trim() },
    ),
  };
}
