/**
 * Accuracy of the local analyzer on the hand-labelled set (test/fixtures/insights-labelled.json):
 * sentiment and task completion, each with its confusion matrix, printed as markdown for
 * bench/RESULTS.md. Run: node --import tsx bench/insights-accuracy.ts [--errors]
 */
import { readFile } from 'node:fs/promises';
import { analyzeTranscript } from '../src/providers/analysis/local-analyzer.ts';
import { loadNlp } from '../src/providers/analysis/nlp.ts';
import type { Sentiment, Transcript } from '../src/providers/analysis/analyzer.ts';

export interface LabelledConversation {
  id: string;
  domain: string;
  sentiment: Sentiment;
  taskCompleted: boolean;
  messages: Transcript;
}

/** The labelled set, with the NLP model loaded so evaluate() can run. */
export async function loadLabelled(): Promise<LabelledConversation[]> {
  await loadNlp();
  const raw = await readFile(new URL('../test/fixtures/insights-labelled.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { conversations: LabelledConversation[] }).conversations;
}

export interface Evaluation {
  total: number;
  sentimentAccuracy: number;
  taskAccuracy: number;
  sentimentMatrix: Record<string, Record<string, number>>;
  taskMatrix: Record<string, Record<string, number>>;
  errors: { id: string; field: string; expected: string; got: string }[];
  msPerConversation: number;
}

export function evaluate(set: readonly LabelledConversation[]): Evaluation {
  const sentiments = ['positive', 'neutral', 'negative'];
  const sentimentMatrix = Object.fromEntries(sentiments.map((s) => [s, Object.fromEntries(sentiments.map((t) => [t, 0]))]));
  const taskMatrix = Object.fromEntries(['true', 'false'].map((s) => [s, { true: 0, false: 0 } as Record<string, number>]));
  const errors: Evaluation['errors'] = [];
  let sentimentRight = 0;
  let taskRight = 0;
  const started = performance.now();
  for (const c of set) {
    const result = analyzeTranscript(c.messages);
    sentimentMatrix[c.sentiment][result.sentiment] += 1;
    taskMatrix[String(c.taskCompleted)][String(result.taskCompleted)] += 1;
    if (result.sentiment === c.sentiment) sentimentRight += 1;
    else errors.push({ id: c.id, field: 'sentiment', expected: c.sentiment, got: `${result.sentiment} (${result.sentimentScore})` });
    if (result.taskCompleted === c.taskCompleted) taskRight += 1;
    else errors.push({ id: c.id, field: 'taskCompleted', expected: String(c.taskCompleted), got: String(result.taskCompleted) });
  }
  return {
    total: set.length,
    sentimentAccuracy: sentimentRight / set.length,
    taskAccuracy: taskRight / set.length,
    sentimentMatrix,
    taskMatrix,
    errors,
    msPerConversation: (performance.now() - started) / set.length,
  };
}

function matrix(title: string, m: Record<string, Record<string, number>>): string {
  const labels = Object.keys(m);
  const lines = [`| ${title}: labelled ↓ / predicted → | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---:').join('|')}|`];
  for (const row of labels) lines.push(`| ${row} | ${labels.map((col) => m[row][col]).join(' | ')} |`);
  return lines.join('\n');
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

async function main(): Promise<void> {
  const e = evaluate(await loadLabelled());
  console.log(`### Insights accuracy (local analyzer, ${e.total} labelled conversations)\n`);
  console.log(`| measure | accuracy |\n|---|---:|\n| sentiment (3 classes) | ${percent(e.sentimentAccuracy)} |\n| task completed | ${percent(e.taskAccuracy)} |\n`);
  console.log(`${matrix('sentiment', e.sentimentMatrix)}\n`);
  console.log(`${matrix('taskCompleted', e.taskMatrix)}\n`);
  console.log(`Analysis time: ${e.msPerConversation.toFixed(2)} ms a conversation (after the model is loaded).`);
  if (process.argv.includes('--errors')) for (const err of e.errors) console.log(`- ${err.id}: ${err.field} expected ${err.expected}, got ${err.got}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
