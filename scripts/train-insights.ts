/**
 * `npm run train:insights`: fits the local analyzer's two small models (sentiment, task completion)
 * on the development part of the labelled set — test/fixtures/insights/dev.json, dev-2.json and the
 * older test/fixtures/insights-labelled.json, never the held-out part — and writes
 * src/providers/analysis/model-weights.ts. Deterministic: the same data gives the same file.
 *
 *   node --import tsx scripts/train-insights.ts            train and write the weights
 *   node --import tsx scripts/train-insights.ts --cv       only report cross-validated accuracy (--check: the same)
 *   … --cv --confusion                                      and the older set's model's misses on dev
 *   … --cv --errors                                         and each set's misses by the model trained on the other two
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPart, type LabelledConversation } from '../bench/insights-accuracy.ts';
import { isWordFeature, readConversation, sentimentFeatures, taskFeatures, type Features } from '../src/providers/analysis/features.ts';
import { fit, predict, type FitOptions, type LogisticModel } from '../src/providers/analysis/logistic.ts';
import { toTurns } from '../src/providers/analysis/local-analyzer.ts';

/** Chosen by --cv on the development data: 0.001 and 0.003 are a conversation or two apart, stronger penalties lose accuracy. */
const OPTIONS: FitOptions = { l2: 0.003, iterations: 3000, learningRate: 0.5 };
const SENTIMENTS = ['positive', 'neutral', 'negative'];
const TASK = ['true', 'false'];

interface Example {
  id: string;
  sentiment: Features;
  task: Features;
  labels: { sentiment: string; task: string };
}

function examples(set: readonly LabelledConversation[]): Example[] {
  return set.map((c) => {
    const reading = readConversation(toTurns(c.messages));
    return { id: c.id, sentiment: sentimentFeatures(reading), task: taskFeatures(reading), labels: { sentiment: c.sentiment, task: String(c.taskCompleted) } };
  });
}

/**
 * Word features (features.ts wordFeatures) whose weight moves a logit by less than about 0.01 are dropped: a
 * thousand words fewer in the model file, the same answers.
 */
const MIN_WORD_WEIGHT = 0.03;

function pruned(model: LogisticModel): LogisticModel {
  const weights = Object.fromEntries(Object.entries(model.weights).map(([c, w]) => [c, Object.fromEntries(Object.entries(w).filter(([k, v]) => !isWordFeature(k) || Math.abs(v) >= MIN_WORD_WEIGHT))]));
  return { classes: model.classes, weights };
}

function train(set: readonly Example[], options = OPTIONS): { sentiment: LogisticModel; task: LogisticModel } {
  return {
    sentiment: pruned(fit(SENTIMENTS, set.map((e) => ({ features: e.sentiment, label: e.labels.sentiment })), options)),
    task: pruned(fit(TASK, set.map((e) => ({ features: e.task, label: e.labels.task })), options)),
  };
}

function accuracy(models: { sentiment: LogisticModel; task: LogisticModel }, set: readonly Example[]): { sentiment: number; task: number } {
  let s = 0;
  let t = 0;
  for (const e of set) {
    if (predict(models.sentiment, e.sentiment).label === e.labels.sentiment) s += 1;
    if (predict(models.task, e.task).label === e.labels.task) t += 1;
  }
  return { sentiment: s / set.length, task: t / set.length };
}

/** k folds by position (every k-th conversation), so the result does not depend on a random seed. */
function crossValidate(set: readonly Example[], k: number, options: FitOptions): { sentiment: number; task: number } {
  let s = 0;
  let t = 0;
  for (let fold = 0; fold < k; fold += 1) {
    const held = set.filter((_, i) => i % k === fold);
    const a = accuracy(train(set.filter((_, i) => i % k !== fold), options), held);
    s += a.sentiment * held.length;
    t += a.task * held.length;
  }
  return { sentiment: s / set.length, task: t / set.length };
}

function confusion(models: { sentiment: LogisticModel; task: LogisticModel }, set: readonly Example[]): string {
  const m: Record<string, number> = {};
  for (const e of set) {
    const key = `${e.labels.sentiment}→${predict(models.sentiment, e.sentiment).label}`;
    m[key] = (m[key] ?? 0) + 1;
    const tk = `task ${e.labels.task}→${predict(models.task, e.task).label}`;
    m[tk] = (m[tk] ?? 0) + 1;
  }
  return JSON.stringify(Object.fromEntries(Object.entries(m).filter(([k]) => k.split('→')[0].split(' ').at(-1) !== k.split('→')[1])));
}

/** The conversations a model gets wrong, with what it said. */
function misses(models: { sentiment: LogisticModel; task: LogisticModel }, set: readonly Example[]): string[] {
  const out: string[] = [];
  for (const e of set) {
    const s = predict(models.sentiment, e.sentiment).label;
    const t = predict(models.task, e.task).label;
    if (s !== e.labels.sentiment) out.push(`- ${e.id}: sentiment ${e.labels.sentiment}, got ${s}`);
    if (t !== e.labels.task) out.push(`- ${e.id}: task ${e.labels.task}, got ${t}`);
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const dev = examples(await loadPart('dev'));
  const dev2 = examples(await loadPart('dev-2'));
  const legacy = examples(await loadPart('legacy'));
  const all = [...dev, ...dev2, ...legacy];
  if (process.argv.includes('--cv') || process.argv.includes('--check')) {
    // Cross-validation, and each author's conversations judged by a model trained on the others':
    // the three sets were written by different people at different times, as the held-out part
    // was, so the cross figures are the closer guess of held-out accuracy.
    for (const l2 of [0.001, 0.003, 0.01, 0.03]) {
      const options = { ...OPTIONS, l2 };
      const cv = crossValidate(all, 5, options);
      // Each set's judge: a model trained on the other two.
      const judgeOfDev2 = train([...dev, ...legacy], options);
      const judgeOfDev = train([...dev2, ...legacy], options);
      const judgeOfLegacy = train([...dev, ...dev2], options);
      const toDev2 = accuracy(judgeOfDev2, dev2);
      const toDev = accuracy(judgeOfDev, dev);
      const toLegacy = accuracy(judgeOfLegacy, legacy);
      if (process.argv.includes('--confusion')) console.log(confusion(judgeOfDev, dev));
      if (process.argv.includes('--errors') && l2 === OPTIONS.l2) {
        console.log([...misses(judgeOfDev2, dev2), ...misses(judgeOfDev, dev), ...misses(judgeOfLegacy, legacy)].join('\n'));
      }
      console.log(`l2 ${l2}: 5-fold all ${pct(cv.sentiment)} ${pct(cv.task)} | →dev-2 ${pct(toDev2.sentiment)} ${pct(toDev2.task)} | →dev ${pct(toDev.sentiment)} ${pct(toDev.task)} | →legacy ${pct(toLegacy.sentiment)} ${pct(toLegacy.task)} (sentiment, task)`);
    }
    return;
  }
  const models = train(all);
  const fitted = accuracy(models, all);
  const out = fileURLToPath(new URL('../src/providers/analysis/model-weights.ts', import.meta.url));
  writeFileSync(out, [
    '// Generated by scripts/train-insights.ts (npm run train:insights): do not edit.',
    `// Trained on ${dev.length + dev2.length} development and ${legacy.length} older labelled conversations; fits them at sentiment ${pct(fitted.sentiment)}, task ${pct(fitted.task)}.`,
    "import type { LogisticModel } from './logistic.ts';",
    '',
    `export const MODEL: { sentiment: LogisticModel; task: LogisticModel } = ${JSON.stringify(models, null, 2)};`,
    '',
  ].join('\n'));
  console.log(`wrote ${out} (training fit: sentiment ${pct(fitted.sentiment)}, task ${pct(fitted.task)})`);
}

await main();
