/*
 * Multinomial logistic regression over named features: what the local analyzer's model is
 * (model.ts), and how scripts/train-insights.ts fits it. Fitting is full-batch gradient descent
 * from zero weights with L2 regularisation, in a fixed order: the same data gives the same model,
 * byte for byte.
 */

export interface LogisticModel {
  classes: readonly string[];
  /** Per class: bias under "", then one weight per feature name. A feature not listed weighs 0. */
  weights: Record<string, Record<string, number>>;
}

export function probabilities(model: LogisticModel, features: Record<string, number>): number[] {
  const logits = model.classes.map((c) => {
    const w = model.weights[c];
    let z = w[''] ?? 0;
    for (const [name, value] of Object.entries(features)) z += (w[name] ?? 0) * value;
    return z;
  });
  const max = Math.max(...logits);
  const exp = logits.map((z) => Math.exp(z - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((x) => x / sum);
}

export function predict(model: LogisticModel, features: Record<string, number>): { label: string; probability: number } {
  const p = probabilities(model, features);
  let best = 0;
  for (let i = 1; i < p.length; i += 1) if (p[i] > p[best]) best = i;
  return { label: model.classes[best], probability: p[best] };
}

export interface FitOptions {
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  iterations: number;
  learningRate: number;
}

export function fit(classes: readonly string[], examples: readonly { features: Record<string, number>; label: string }[], options: FitOptions): LogisticModel {
  const names = [...new Set(examples.flatMap((e) => Object.keys(e.features)))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  // Rows are sparse (a conversation has a few dozen of the features, the words among them few of
  // hundreds): each keeps the indexes and values of its non-zero features, the bias last.
  const rows = examples.map((e) => {
    const present = Object.entries(e.features).filter(([, v]) => v !== 0).map(([n, v]) => [index.get(n)!, v] as const).sort((a, b) => a[0] - b[0]);
    return { at: Int32Array.from([...present.map(([i]) => i), names.length]), x: Float64Array.from([...present.map(([, v]) => v), 1]), y: classes.indexOf(e.label) };
  });
  if (rows.some((r) => r.y < 0)) throw new Error('an example has a label outside the classes');
  const w = classes.map(() => new Float64Array(names.length + 1));
  const n = rows.length;
  const width = names.length + 1;
  const logits = new Float64Array(classes.length);
  for (let it = 0; it < options.iterations; it += 1) {
    const grad = classes.map(() => new Float64Array(width));
    for (const { at, x, y } of rows) {
      let max = -Infinity;
      for (let c = 0; c < classes.length; c += 1) {
        let z = 0;
        for (let k = 0; k < at.length; k += 1) z += w[c][at[k]] * x[k];
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < classes.length; c += 1) sum += (logits[c] = Math.exp(logits[c] - max));
      for (let c = 0; c < classes.length; c += 1) {
        const err = logits[c] / sum - (c === y ? 1 : 0);
        for (let k = 0; k < at.length; k += 1) grad[c][at[k]] += err * x[k];
      }
    }
    for (let c = 0; c < classes.length; c += 1) {
      for (let i = 0; i < width; i += 1) {
        const penalty = i === names.length ? 0 : options.l2 * w[c][i];
        w[c][i] -= options.learningRate * (grad[c][i] / n + penalty);
      }
    }
  }
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  const weights: LogisticModel['weights'] = {};
  classes.forEach((c, ci) => {
    weights[c] = { '': round(w[ci][names.length]) };
    names.forEach((name, i) => {
      if (round(w[ci][i]) !== 0) weights[c][name] = round(w[ci][i]);
    });
  });
  return { classes, weights };
}
