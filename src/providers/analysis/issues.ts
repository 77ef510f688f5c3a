import type { Issue, Severity } from './analyzer.ts';
import { clip } from './analyzer.ts';
import { normalForm } from './cue-match.ts';
import type { Sentence } from './nlp.ts';
import type { TurnFeeling } from './sentiment.ts';

/*
 * Issues: what went wrong, in the user's words — each user sentence that complains or reads clearly
 * negative — plus an unresolved request. Severity grows with how negative the sentence is and with
 * escalation (complaints to a regulator, a manager, the bank).
 */
const NEGATIVE_FROM = -0.3;
const HIGH_FROM = -0.6;
const ESCALATION = / (manager|supervisor|complaint|regulator|lawyer|legal|disput[a-z]+|chargeback|bank|review|switch[a-z]*|cancel[a-z]*|never [a-z ]+ again|deleting) /;
const MAX_ISSUES = 5;
const DESCRIPTION_MAX = 240;

function severity(score: number, complaint: boolean, escalation: boolean): Severity {
  if (escalation || (complaint && score <= HIGH_FROM)) return 'high';
  if (complaint || score <= HIGH_FROM) return 'medium';
  return 'low';
}

/** The user's turns with how each reads (sentiment.ts), so a sarcastic sentence counts as the complaint it is. */
export function issuesOf(userTurns: readonly { sentences: readonly Sentence[]; feeling: TurnFeeling }[], unresolved: { request: string } | null): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const read = userTurns.flatMap((turn) => turn.sentences.map((sentence, i) => ({ sentence, ...turn.feeling.sentences[i] })));
  for (const { sentence, score, complaint: complaints } of read) {
    const text = normalForm(sentence);
    const complaint = complaints > 0;
    if (!complaint && score > NEGATIVE_FROM) continue;
    const description = clip(sentence.text.trim(), DESCRIPTION_MAX);
    if (seen.has(description)) continue;
    seen.add(description);
    issues.push({ description, severity: severity(score, complaint, ESCALATION.test(text)) });
  }
  issues.sort((a, b) => rank(b.severity) - rank(a.severity));
  const kept = issues.slice(0, unresolved ? MAX_ISSUES - 1 : MAX_ISSUES);
  if (unresolved) kept.push({ description: clip(`Request not resolved: ${unresolved.request}`, DESCRIPTION_MAX), severity: 'medium' });
  return kept;
}

function rank(s: Severity): number {
  return s === 'high' ? 2 : s === 'medium' ? 1 : 0;
}
