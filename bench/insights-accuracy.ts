/**
 * Accuracy of the insights analyzers on the hand-labelled sets (test/fixtures/insights/ and the
 * older test/fixtures/insights-labelled.json): sentiment and task completion per part, per
 * phenomenon, with confusion matrices and the time per conversation (p50/p99), printed as markdown
 * for bench/RESULTS.md.
 *
 *   node --import tsx bench/insights-accuracy.ts                      dev, dev-2 + legacy (what tuning may look at)
 *   node --import tsx bench/insights-accuracy.ts --parts all          + held-out and non-English (measure only)
 *   node --import tsx bench/insights-accuracy.ts --baselines          + the library baselines, sentiment only
 *   node --import tsx bench/insights-accuracy.ts --errors             + every miss, with its id
 *   node --import tsx bench/insights-accuracy.ts --analyzer llm --base-url http://127.0.0.1:11434/v1 --model llama3.1 [--api-key K]
 *   node --import tsx bench/insights-accuracy.ts --analyzer llm-double  the LLM analyzer over the OpenAI wire double
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { AnalysisResult, Sentiment, Transcript } from '../src/providers/analysis/analyzer.ts';
import { analyzeTranscript } from '../src/providers/analysis/local-analyzer.ts';
import { LlmAnalyzer } from '../src/providers/analysis/llm-analyzer.ts';
import { loadNlp } from '../src/providers/analysis/nlp.ts';
import { baselineReport } from './insights-baselines.ts';

export const PARTS = {
  dev: 'insights/dev.json',
  'dev-2': 'insights/dev-2.json',
  legacy: 'insights-labelled.json',
  heldout: 'insights/heldout.json',
  'non-english': 'insights/non-english.json',
} as const;
export type Part = keyof typeof PARTS;

/**
 * Analyses run before timing starts, as a worker that has been running: one pass over every set
 * for the local analyzer (after a 200-conversation warm-up its p99 was still 26 ms, after a full
 * pass 14 ms: wink's lexicon and the JIT keep settling), a few for the LLM's HTTP path.
 */
const WARM_UP_LLM = 20;

export interface LabelledConversation {
  id: string;
  domain: string;
  phenomena: string[];
  language: string;
  sentiment: Sentiment;
  taskCompleted: boolean;
  messages: Transcript;
}

/** One labelled part, with the NLP model loaded so it can be analysed. The legacy set has no phenomena: all plain English. */
export async function loadPart(part: Part): Promise<LabelledConversation[]> {
  await loadNlp();
  const raw = await readFile(new URL(`../test/fixtures/${PARTS[part]}`, import.meta.url), 'utf8');
  const { conversations } = JSON.parse(raw) as { conversations: (Partial<LabelledConversation> & Omit<LabelledConversation, 'phenomena' | 'language'>)[] };
  return conversations.map((c) => ({ ...c, phenomena: c.phenomena ?? ['plain'], language: c.language ?? 'en' }));
}

export type AnalyzeFn = (transcript: Transcript) => AnalysisResult | Promise<AnalysisResult>;
type Matrix = Record<string, Record<string, number>>;

export interface Tally {
  total: number;
  sentimentRight: number;
  taskRight: number;
}

export interface Evaluation extends Tally {
  sentimentAccuracy: number;
  taskAccuracy: number;
  sentimentMatrix: Matrix;
  taskMatrix: Matrix;
  byPhenomenon: Record<string, Tally>;
  byLanguage: Record<string, Tally>;
  errors: { id: string; field: string; expected: string; got: string }[];
  /** Milliseconds each conversation took, in set order. */
  times: number[];
}

const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'];

function emptyMatrix(labels: readonly string[]): Matrix {
  return Object.fromEntries(labels.map((row) => [row, Object.fromEntries(labels.map((col) => [col, 0]))]));
}

export async function evaluate(set: readonly LabelledConversation[], analyze: AnalyzeFn = analyzeTranscript): Promise<Evaluation> {
  const sentimentMatrix = emptyMatrix(SENTIMENT_LABELS);
  const taskMatrix = emptyMatrix(['true', 'false']);
  const byPhenomenon: Record<string, Tally> = {};
  const byLanguage: Record<string, Tally> = {};
  const errors: Evaluation['errors'] = [];
  const times: number[] = [];
  let sentimentRight = 0;
  let taskRight = 0;
  for (const c of set) {
    const started = performance.now();
    const result = await analyze(c.messages);
    times.push(performance.now() - started);
    sentimentMatrix[c.sentiment][result.sentiment] += 1;
    taskMatrix[String(c.taskCompleted)][String(result.taskCompleted)] += 1;
    const sentimentOk = result.sentiment === c.sentiment;
    const taskOk = result.taskCompleted === c.taskCompleted;
    if (sentimentOk) sentimentRight += 1;
    else errors.push({ id: c.id, field: 'sentiment', expected: c.sentiment, got: `${result.sentiment} (${result.sentimentScore})` });
    if (taskOk) taskRight += 1;
    else errors.push({ id: c.id, field: 'taskCompleted', expected: String(c.taskCompleted), got: String(result.taskCompleted) });
    for (const t of [...c.phenomena.map((p) => (byPhenomenon[p] ??= { total: 0, sentimentRight: 0, taskRight: 0 })), (byLanguage[c.language] ??= { total: 0, sentimentRight: 0, taskRight: 0 })]) {
      t.total += 1;
      t.sentimentRight += sentimentOk ? 1 : 0;
      t.taskRight += taskOk ? 1 : 0;
    }
  }
  const total = set.length;
  return {
    total, sentimentRight, taskRight,
    sentimentAccuracy: total === 0 ? 0 : sentimentRight / total,
    taskAccuracy: total === 0 ? 0 : taskRight / total,
    sentimentMatrix, taskMatrix, byPhenomenon, byLanguage, errors, times,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function matrix(title: string, m: Matrix): string {
  const labels = Object.keys(m);
  const lines = [`| ${title}: labelled ↓ / predicted → | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---:').join('|')}|`];
  for (const row of labels) lines.push(`| ${row} | ${labels.map((col) => m[row][col]).join(' | ')} |`);
  return lines.join('\n');
}

function tallyTable(title: string, tallies: Record<string, Tally>): string {
  const lines = [`| ${title} | n | sentiment | task completed |`, '|---|---:|---:|---:|'];
  for (const [p, t] of Object.entries(tallies).sort((a, b) => b[1].total - a[1].total)) {
    lines.push(`| ${p} | ${t.total} | ${percent(t.sentimentRight / t.total)} | ${percent(t.taskRight / t.total)} |`);
  }
  return lines.join('\n');
}

export function partReport(title: string, e: Evaluation): string {
  return [
    `#### ${title}: ${e.total} conversations — sentiment ${percent(e.sentimentAccuracy)}, task completed ${percent(e.taskAccuracy)}`,
    '', tallyTable('phenomenon', e.byPhenomenon), '',
    ...(Object.keys(e.byLanguage).length > 1 ? [tallyTable('language', e.byLanguage), ''] : []),
    matrix('sentiment', e.sentimentMatrix), '', matrix('taskCompleted', e.taskMatrix), '',
  ].join('\n');
}

/** The analyzer to measure: the local one, or the LLM analyzer at an endpoint or over the wire double. */
async function chooseAnalyzer(values: Record<string, string | boolean | undefined>): Promise<{ label: string; analyze: AnalyzeFn; close: () => Promise<void> }> {
  const signal = () => new AbortController().signal;
  if (values.analyzer === 'local') return { label: 'local analyzer', analyze: analyzeTranscript, close: async () => {} };
  if (values.analyzer === 'llm') {
    if (typeof values['base-url'] !== 'string' || typeof values.model !== 'string') throw new Error('--analyzer llm needs --base-url and --model');
    const llm = new LlmAnalyzer({ baseUrl: values['base-url'], model: values.model, apiKey: typeof values['api-key'] === 'string' ? values['api-key'] : '', timeoutMs: 60_000 });
    return { label: `LLM analyzer (${values.model} at ${values['base-url']})`, analyze: (t) => llm.analyze(t, { signal: signal() }), close: async () => {} };
  }
  if (values.analyzer === 'llm-double') {
    // The double speaks the real chat-completions wire but has no model: each request is answered
    // with the local analyzer's reading of the transcript it carried, so equal figures prove that
    // the request, the JSON answer and its checking lose nothing on the way.
    const { startFakeLlm } = await import('../test/providers/llm/openai-chat-double.ts');
    const double = await startFakeLlm({ apiKey: 'sk-bench', model: 'double' });
    const llm = new LlmAnalyzer({ baseUrl: double.baseUrl, apiKey: 'sk-bench', model: 'double', timeoutMs: 10_000 });
    return {
      label: 'LLM analyzer over the OpenAI-compatible wire double (answers = the local analysis)',
      analyze: async (t) => {
        double.reply(analyzeTranscript(t));
        return llm.analyze(t, { signal: signal() });
      },
      close: () => double.close(),
    };
  }
  throw new Error(`unknown --analyzer ${String(values.analyzer)} (local, llm, llm-double)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      parts: { type: 'string', default: 'dev,dev-2,legacy' },
      analyzer: { type: 'string', default: 'local' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'api-key': { type: 'string' },
      errors: { type: 'boolean', default: false },
      baselines: { type: 'boolean', default: false },
    },
  });
  const parts = (values.parts === 'all' ? Object.keys(PARTS) : values.parts.split(',')) as Part[];
  const chosen = await chooseAnalyzer(values);
  const sets = new Map<Part, LabelledConversation[]>();
  for (const part of parts) sets.set(part, await loadPart(part));
  const all = [...sets.values()].flat();
  const warmUp = values.analyzer === 'local' ? all.length : Math.min(all.length, WARM_UP_LLM);
  const cold: number[] = [];
  for (const c of all.slice(0, warmUp)) {
    const started = performance.now();
    await chosen.analyze(c.messages);
    cold.push(performance.now() - started);
  }
  const times: number[] = [];
  console.log(`### Insights accuracy: ${chosen.label}\n`);
  const summary = ['| part | n | sentiment | task completed |', '|---|---:|---:|---:|'];
  const reports: string[] = [];
  for (const [part, set] of sets) {
    const e = await evaluate(set, chosen.analyze);
    times.push(...e.times);
    summary.push(`| ${part} | ${e.total} | ${percent(e.sentimentAccuracy)} | ${percent(e.taskAccuracy)} |`);
    reports.push(partReport(part, e));
    if (values.errors) for (const err of e.errors) reports.push(`- ${err.id}: ${err.field} expected ${err.expected}, got ${err.got}`);
  }
  console.log(`${summary.join('\n')}\n`);
  const ms = (values: number[]) => `p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms, max ${Math.max(...values).toFixed(2)} ms`;
  console.log(`Time per conversation, warm (${times.length} conversations after ${warmUp} warm-up analyses): ${ms(times)}; `
    + `the warm-up itself, from a cold start: ${ms(cold)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores.\n`);
  console.log(reports.join('\n'));
  if (values.baselines) console.log(await baselineReport(sets));
  await chosen.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
