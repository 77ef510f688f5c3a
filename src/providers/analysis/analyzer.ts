/**
 * What every analyzer (the local NLP one, the LLM one) takes and returns. The analysis job turns a
 * conversation's stored messages into a Transcript, runs the configured analyzer and stores the
 * result as the conversation's insights.
 */

export const TRANSCRIPT_ROLES = ['user', 'assistant', 'system'] as const;
export type TranscriptRole = (typeof TRANSCRIPT_ROLES)[number];

export interface TranscriptTurn {
  role: TranscriptRole;
  text: string;
}

export type Transcript = readonly TranscriptTurn[];

export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Issue {
  description: string;
  severity: Severity;
}

export interface AnalysisResult {
  sentiment: Sentiment;
  /** -1 (very negative) … 1 (very positive). */
  sentimentScore: number;
  taskCompleted: boolean;
  topics: string[];
  summary: string;
  issues: Issue[];
}

export interface Analyzer {
  /** Stored with each analysis, so an insight says what produced it. */
  readonly name: string;
  readonly version: string;
  analyze(transcript: Transcript, opts: { signal: AbortSignal }): Promise<AnalysisResult>;
}

/** Bounds on what one analysis stores, whichever analyzer produced it. */
export const ANALYSIS_LIMITS = { topics: 10, topicLength: 80, summaryLength: 2000, issues: 20, issueLength: 500 } as const;

/** Thrown when an analyzer's output does not have the AnalysisResult shape; the job retries. */
export class MalformedAnalysisError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`malformed analysis: ${message}`, options);
    this.name = 'MalformedAnalysisError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an untrusted analysis (an LLM's JSON answer) field by field and returns it in canonical
 * form: strings trimmed, lists capped at ANALYSIS_LIMITS. Anything missing or of the wrong type is a
 * MalformedAnalysisError — never a guessed default.
 */
export function checkAnalysisResult(value: unknown): AnalysisResult {
  if (!isRecord(value)) throw new MalformedAnalysisError('expected a JSON object');
  const { sentiment, sentimentScore, taskCompleted, topics, summary, issues } = value;
  if (typeof sentiment !== 'string' || !(SENTIMENTS as readonly string[]).includes(sentiment)) {
    throw new MalformedAnalysisError('sentiment must be one of positive, neutral, negative');
  }
  if (typeof sentimentScore !== 'number' || !Number.isFinite(sentimentScore) || sentimentScore < -1 || sentimentScore > 1) {
    throw new MalformedAnalysisError('sentimentScore must be a number from -1 to 1');
  }
  if (typeof taskCompleted !== 'boolean') throw new MalformedAnalysisError('taskCompleted must be a boolean');
  if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) {
    throw new MalformedAnalysisError('topics must be an array of strings');
  }
  if (typeof summary !== 'string') throw new MalformedAnalysisError('summary must be a string');
  if (!Array.isArray(issues)) throw new MalformedAnalysisError('issues must be an array');
  const checkedIssues = issues.map((issue, i) => {
    if (!isRecord(issue) || typeof issue.description !== 'string') {
      throw new MalformedAnalysisError(`issues[${i}].description must be a string`);
    }
    if (typeof issue.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(issue.severity)) {
      throw new MalformedAnalysisError(`issues[${i}].severity must be one of low, medium, high`);
    }
    return { description: clip(issue.description.trim(), ANALYSIS_LIMITS.issueLength), severity: issue.severity as Severity };
  });
  return {
    sentiment: sentiment as Sentiment,
    sentimentScore,
    taskCompleted,
    topics: [...new Set(topics.map((t) => clip(t.trim(), ANALYSIS_LIMITS.topicLength)).filter((t) => t !== ''))].slice(0, ANALYSIS_LIMITS.topics),
    summary: clip(summary.trim(), ANALYSIS_LIMITS.summaryLength),
    issues: checkedIssues.filter((i) => i.description !== '').slice(0, ANALYSIS_LIMITS.issues),
  };
}

/** Shortens text to at most `max` characters, ending with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
