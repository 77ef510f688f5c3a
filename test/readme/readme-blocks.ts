/**
 * The README's shell examples as the README test runs them: grouped by `## ` section, split into
 * steps at their `# → …` answer comments, with the markers that exclude a block or make it the
 * set-up of every section.
 *
 * Conventions (the README's Development section states them too):
 * - every ```sh / ```bash block runs, in order, unless the line before it (blank lines aside) is
 *   `<!-- readme-test: skip (why) -->`;
 * - the one block marked `<!-- readme-test: setup -->` (a tenant, a key, $PARLEY, $API, …) runs
 *   first in every section's fresh server (in its own section, where it stands);
 * - `# → [status] [sample answer] [prose]` on its own line right after a command states what the
 *   command before it answers; indented `#   …` lines after it continue it.
 */

export interface Expectation {
  /** The comment as written, for messages. */
  text: string;
  /** HTTP status of the last request of the step, when the comment states one. */
  status?: number;
  /** The sample answer (JSON with `…` for what varies), when the comment shows one. */
  sample?: string;
}

export interface Step {
  /** 1-based README line of the step's first line. */
  line: number;
  script: string;
  expect?: Expectation;
}

export interface Block {
  line: number;
  section: string;
  marker: 'run' | 'skip' | 'setup';
  steps: Step[];
}

const FENCE = /^```(\S*)\s*$/;
const MARKER = /^<!--\s*readme-test:\s*(\w+)\b.*-->\s*$/;
const ANSWER = /^\s*#\s*→\s?(.*)$/;
const CONTINUATION = /^\s*#\s{2,}(.*)$/;
const SHELL = new Set(['sh', 'bash']);

/** The README's shell blocks, in order. Throws on a marker it does not know or an unclosed fence. */
export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let section = '';
  let marker: Block['marker'] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const markerMatch = MARKER.exec(line);
    if (markerMatch) {
      if (markerMatch[1] !== 'skip' && markerMatch[1] !== 'setup') throw new Error(`README line ${i + 1}: unknown marker "${markerMatch[1]}"`);
      marker = markerMatch[1];
      continue;
    }
    if (/^##\s/.test(line)) section = line.replace(/^##\s+/, '').trim();
    const fence = FENCE.exec(line);
    if (!fence) {
      // A marker belongs to the fence right after it; anything but blank lines in between is a mistake.
      if (marker && line.trim() !== '') throw new Error(`README line ${i + 1}: a readme-test marker must stand right before a code block`);
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: the code block is never closed`);
    if (SHELL.has(fence[1])) blocks.push({ line: start + 1, section, marker: marker ?? 'run', steps: splitSteps(body, start + 2) });
    else if (marker) throw new Error(`README line ${start + 1}: a readme-test marker before a block that is not sh or bash`);
    marker = undefined;
  }
  return blocks;
}

/** A block's lines cut after each command that a `# →` comment answers. */
function splitSteps(body: string[], firstLine: number): Step[] {
  const steps: Step[] = [];
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const answer = ANSWER.exec(body[i]);
    if (!answer) continue;
    const parts = [answer[1]];
    let end = i + 1;
    for (; end < body.length; end++) {
      const more = CONTINUATION.exec(body[end]);
      if (!more || ANSWER.test(body[end])) break;
      parts.push(more[1]);
    }
    steps.push({ line: firstLine + from, script: body.slice(from, i).join('\n'), expect: parseExpectation(parts.join(' ')) });
    from = end;
    i = end - 1;
  }
  const rest = body.slice(from);
  if (rest.some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) steps.push({ line: firstLine + from, script: rest.join('\n') });
  return steps;
}

export function parseExpectation(text: string): Expectation {
  const out: Expectation = { text: text.trim() };
  let rest = text.trim();
  const status = /^(\d{3})\b[,;]?\s*/.exec(rest);
  if (status) {
    out.status = Number(status[1]);
    rest = rest.slice(status[0].length);
  }
  if (rest.startsWith('{') || rest.startsWith('[')) out.sample = rest.slice(0, balancedEnd(rest));
  if (out.status === undefined && out.sample === undefined) throw new Error(`"# → ${text}" states neither a status nor an answer`);
  return out;
}

/** Where the bracketed value at the start of text ends (strings and escapes respected). */
function balancedEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`the sample answer ${text} is not closed`);
}

/** A sample answer: JSON where `…` (or `...`) stands for what varies. */
type Pattern =
  | { kind: 'any' }
  | { kind: 'object'; members: [string, Pattern][] }
  | { kind: 'array'; items: Pattern[]; more: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'literal'; value: number | boolean | null };

const ELLIPSIS = /^(…|\.\.\.)/;

export function parseSample(text: string): Pattern {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`sample answer ${text}: ${what} at ${at}`);
  };
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const ellipsis = () => {
    const m = ELLIPSIS.exec(text.slice(at));
    if (m) at += m[0].length;
    return m !== null;
  };
  const string = (): string => {
    const end = balancedString(text, at);
    const value = JSON.parse(text.slice(at, end)) as string;
    at = end;
    return value;
  };
  const value = (): Pattern => {
    space();
    if (ellipsis()) return { kind: 'any' };
    const c = text[at];
    if (c === '"') return { kind: 'string', value: string() };
    if (c === '{') {
      at++;
      const members: [string, Pattern][] = [];
      for (space(); text[at] !== '}'; space()) {
        if (!ellipsis()) {
          if (text[at] !== '"') fail('a key');
          const key = string();
          space();
          if (text[at++] !== ':') fail('":"');
          members.push([key, value()]);
        }
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== '}') fail('"," or "}"');
      }
      at++;
      return { kind: 'object', members };
    }
    if (c === '[') {
      at++;
      const items: Pattern[] = [];
      let more = false;
      for (space(); text[at] !== ']'; space()) {
        if (ellipsis()) more = true;
        else items.push(value());
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== ']') fail('"," or "]"');
      }
      at++;
      return { kind: 'array', items, more };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (!literal) return fail('a value');
    at += literal[0].length;
    return { kind: 'literal', value: JSON.parse(literal[0]) as number | boolean | null };
  };
  const pattern = value();
  space();
  if (at !== text.length) fail('the end');
  return pattern;
}

function balancedString(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new Error(`unclosed string in ${text}`);
}

const glob = (sample: string) =>
  new RegExp(`^${sample.split(/…|\.\.\./).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);

/**
 * Where `actual` differs from the sample answer, as "path: problem" lines (none: it matches).
 * Loose where the sample says so: an object may have more keys than shown, `…` matches any value
 * (inside a string, any characters), an array with `…` may have more items; everything written
 * out must be there as written.
 */
export function mismatches(sample: string, actual: unknown): string[] {
  const out: string[] = [];
  const walk = (p: Pattern, a: unknown, path: string) => {
    const type = Array.isArray(a) ? 'array' : a === null ? 'null' : typeof a;
    switch (p.kind) {
      case 'any':
        return;
      case 'object':
        if (type !== 'object') return void out.push(`${path || '.'}: expected an object, got ${JSON.stringify(a)}`);
        for (const [key, member] of p.members) {
          if (!(key in (a as object))) out.push(`${path}.${key}: missing`);
          else walk(member, (a as Record<string, unknown>)[key], `${path}.${key}`);
        }
        return;
      case 'array': {
        if (type !== 'array') return void out.push(`${path || '.'}: expected an array, got ${JSON.stringify(a)}`);
        const items = a as unknown[];
        if (p.more ? items.length < p.items.length : items.length !== p.items.length) {
          out.push(`${path || '.'}: expected ${p.more ? 'at least ' : ''}${p.items.length} items, got ${items.length}`);
        }
        p.items.forEach((item, i) => i < items.length && walk(item, items[i], `${path}[${i}]`));
        return;
      }
      case 'string':
        if (typeof a !== 'string' || !glob(p.value).test(a)) out.push(`${path || '.'}: expected ${JSON.stringify(p.value)}, got ${JSON.stringify(a)}`);
        return;
      case 'literal':
        if (a !== p.value) out.push(`${path || '.'}: expected ${JSON.stringify(p.value)}, got ${JSON.stringify(a)}`);
    }
  };
  walk(parseSample(sample), actual, '');
  return out;
}

/**
 * The JSON values a step printed, in order: `curl -s` ends no answer with a newline, so answers
 * follow one another on a line, and a stream prints one a line. Text between them is skipped.
 */
export function jsonValues(stdout: string): unknown[] {
  const values: unknown[] = [];
  for (let at = 0; at < stdout.length; at++) {
    if (stdout[at] !== '{' && stdout[at] !== '[') continue;
    try {
      const end = at + balancedEnd(stdout.slice(at));
      values.push(JSON.parse(stdout.slice(at, end)));
      at = end - 1;
    } catch {
      // not JSON from here: look further on
    }
  }
  return values;
}
