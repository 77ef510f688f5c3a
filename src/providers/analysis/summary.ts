import type { Sentiment } from './analyzer.ts';
import { clip } from './analyzer.ts';
import type { Sentence } from './nlp.ts';
import { reportsAction, type Turn } from './task-completion.ts';

/*
 * An extractive summary: the user's request in their own words, the agent's answer or action in
 * theirs, and the outcome. Quoting keeps it faithful; nothing is generated.
 */
const SENTENCE_MAX = 240;
const GREETING = /^(hi|hello|hey|good (morning|afternoon|evening))\b[\s,.!]*$/i;

function words(sentence: Sentence): number {
  return sentence.tokens.filter((t) => t.pos !== 'PUNCT').length;
}

/** The user's first sentence that says something: not a bare greeting, at least three words. */
function request(turns: readonly Turn[]): string | undefined {
  for (const turn of turns) {
    if (turn.role !== 'user') continue;
    const found = turn.sentences.find((s) => !GREETING.test(s.text.trim()) && words(s) >= 3);
    if (found) return found.text.trim();
  }
  return undefined;
}

/** The agent's last reported action, else the agent's last substantive sentence. */
function response(turns: readonly Turn[]): string | undefined {
  const agent = turns.filter((t) => t.role === 'assistant').flatMap((t) => t.sentences);
  const action = [...agent].reverse().find(reportsAction);
  const substantive = [...agent].reverse().find((s) => words(s) >= 4);
  return (action ?? substantive)?.text.trim();
}

export function summaryOf(turns: readonly Turn[], outcome: { taskCompleted: boolean; sentiment: Sentiment }): string {
  const asked = request(turns);
  const answered = response(turns);
  if (!asked && !answered) return '';
  const parts: string[] = [];
  if (asked) parts.push(`The user wrote: "${clip(asked, SENTENCE_MAX)}"`);
  if (answered) parts.push(`The agent: "${clip(answered, SENTENCE_MAX)}"`);
  parts.push(`${outcome.taskCompleted ? 'Resolved' : 'Not resolved'}; the user ended ${outcome.sentiment}.`);
  return parts.join(' ');
}
