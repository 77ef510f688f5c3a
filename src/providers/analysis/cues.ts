import type { Sentence } from './nlp.ts';

/*
 * Support-conversation cues the general sentiment lexicon does not know. They are matched against a
 * sentence's normal form: wink's normalised tokens joined by single spaces, with contractions
 * expanded ("can't" → "can not", "I've" → "i have") and British spellings folded ("cancelled" →
 * "canceled"). Each list is about a kind of utterance, not about any one conversation.
 */

/** A sentence's normal form, padded with spaces so patterns can anchor on word boundaries. */
export function normalForm(sentence: Sentence): string {
  return ` ${sentence.tokens.map((t) => t.normal).join(' ')} `;
}

/** Frustration, anger, disappointment and complaint language of an end user. */
export const COMPLAINT = [
  / (unbelievable|ridiculous|absurd|outrageous|unacceptable|pathetic|hopeless|useless|disgusting|disaster|shameful) /,
  / (terrible|awful|horrible|worst|appalling|dreadful|rubbish) /,
  / (annoyed|annoying|frustrated|frustrating|disappointed|disappointing|upset|angry|furious|livid|devastated|heartbreaking|stressful|fed up) /,
  / (scam|rip - off|rip off|ripoff|cheated|stranded|mess|joke) /,
  / not (acceptable|good enough|ok|okay|fair) /,
  / (sick|tired) of /,
  / (thanks|thank you) for nothing /,
  / (wasted|waste of) /,
  / nobody (cares|told|mentioned|called) /,
  / (never|not) (be )?(buying|shopping|ordering|using|coming|flying)( [a-z]+)* again /,
  / (i will|i am going to|we will) (switch|leave|cancel|be contacting|dispute|report) /,
  / (switching|disputing|filing a complaint|file a complaint|leave a review|deleting this app) /,
  / (speak|talk) to (a|your) (manager|supervisor) /,
  / (money back|so you can not|what am i supposed to) /,
  / paid for nothing /,
];

/**
 * Warmth and relief a lexicon scores low or not at all ("you saved my thesis", "what a relief").
 * Gratitude itself is scored separately (GRATITUDE), by intensity.
 */
export const DELIGHT = [
  / (lifesaver|life saver|made my day|saved my|you saved|relief|reassuring|thrilled|delighted|yay|phew|thank goodness|thank god) /,
  / (so|very|really|super) (kind|helpful|convenient|smooth|quick|fast) /,
  / (exactly what i needed|best [a-z ]*ever|above and beyond) /,
  / (no worries at all) /,
];

/** Politeness formulae: in support chats "ok", "thanks" or "got it" acknowledge; they carry little feeling. */
export const ACKNOWLEDGEMENT_WORDS = new Set([
  'ok', 'okay', 'alright', 'right', 'fine', 'sure', 'yes', 'yeah', 'yep', 'no', 'nope', 'hmm', 'ah', 'oh', 'well',
  'understood', 'got', 'it', 'thanks', 'thank', 'you', 'cheers', 'good', 'noted', 'see', 'i',
]);

export const GRATITUDE = / (thanks|thank you|thank u|thx|appreciate|appreciated|grateful) /;
/** Gratitude said with emphasis ("thank you so much", "really appreciate it") reads as warmth, not formula. */
export const EMPHATIC_GRATITUDE = / ((thanks|thank you) (so much|a lot|a ton|very much|again)|really appreciate|much appreciated|so grateful|thank you thank you) /;
/** Polite thanks after a refusal: disappointment, not warmth. */
export const CONSOLATION = / (thanks|thank you) (anyway|for trying) | too bad /;

/** The agent reports an action as done: "I've refunded…", "your booking is cancelled", "Done." */
export const COMPLETION_VERBS = new Set([
  'refund', 'book', 'update', 'cancel', 'add', 'restore', 'issue', 'apply', 'send', 'schedule', 'activate', 'fix',
  'resolve', 'approve', 'ship', 'change', 'extend', 'upgrade', 'unblock', 'credit', 'generate', 'pause', 'order',
  'create', 'record', 'raise', 'enable', 'remove', 'email', 'reset', 'arrange', 'assign', 'process', 'correct',
  'replace', 'waive', 'set', 'reactivate', 'close', 'delete', 'pay', 'start', 'block', 'move', 'reschedule', 'transfer',
  'confirm', 'submit', 'do', 'upload', 'verify', 'port', 'modify', 'adjust', 'renew', 'reinstate', 'grant', 'flag',
]);
export const COMPLETION_PHRASES = [
  / you are (all set|booked|good to go|on the [a-z ]+ (plan|list) now) /,
  / (is|are) (now )?yours /,
  / (went|gone) through /,
  / has been approved | is approved /,
];
/** Words that make a completion verb hypothetical or pending rather than done. */
export const NOT_DONE = / (will|can|could|would|should|may|might|need to|needs to|have to|has to|once|when|if|after|until|before|please|try) /;

/** The agent cannot do it: refusal, inability, unavailability. */
export const INABILITY = [
  / (i|we) (can not|am not able|are not able|am unable|are unable|do not have a way|have no way) /,
  / (unfortunately|i am afraid|i am sorry , but|no exceptions|without approval) /,
  / can not be [a-z]+ed /,
  / not (eligible|possible|allowed|available|covered|refundable|transferable) /,
  / (non - refundable|nonrefundable|out of stock|fully booked|sold out) /,
  / (is|are|has|have) (closed|expired|passed) /,
  / no [a-z ]*(slots|seats|openings|availability|appointments|options) (left|available|this) /,
  / (do|does) not (support|allow|offer) /,
  / (do|does) not have an? (eta|estimate|estimated|date|update|restock) /,
  / not yet | (has|have) not been (located|found|processed|resolved) /,
  / only (eligible|possible|valid|allowed) /,
  / can not (find|locate|see) /,
];

/** The agent hands the matter on or puts it off: escalation, a ticket, a wait, a step left to the user. */
export const DEFERRAL = [
  / (transfer|transferring|forwarded|escalat[a-z]*|passed [a-z ]+ to|referred) /,
  / (will|should) (follow up|contact you|get back|respond|be in touch|review|call you|hear back|let you know|email you) /,
  / (within|up to|in) [0-9]+ (to [0-9]+ )?(business |working )?(days|weeks|hours) /,
  / (check back|waiting for|waiting list|still being|being processed|being reviewed|under review|investigating|are working on it) /,
  / (opened|opening|open) (an|a) (investigation|review|ticket|case) /,
  / (reported|noted) (it|this|your [a-z]+) /,
  / (you can|you will need to|you need to|you would need to|you have to) (appeal|request|claim|send|submit|contact|call|buy|go|visit) /,
  / (suggest|recommend) (contacting|going|calling) /,
];

/** The end user confirms the outcome: "it works", "I'm in", "got the file". */
export const CONFIRMATION = [
  / (it|that|this) (works|worked|is working|fixed it|did it|did the trick|was it) /,
  / (i am in|got it working|found it|received it|i see it|it is back|is back|are gone|all there|got the [a-z]+|it is working|is syncing|syncing again|is stable|been stable) /,
  / (it|they|she|he) (got|received) (it|the) /,
  / (works|working) (now|again) /,
];

/** The end user is left waiting, goes elsewhere, or says it is still broken. */
export const USER_UNRESOLVED = [
  / i will (wait|check|try|look elsewhere|think|call|contact|go|sign up) /,
  / (wait to hear|wait for the|check again|check later|try another|think about it|not at the [a-z]+ right now) /,
  / still (offline|broken|not|nothing|down|waiting|pending|no) /,
  / (so you can not|what am i supposed to|you can not do anything|you have left me) /,
  / (disput[a-z]+|chargeback|speak to a manager|filing a complaint|file a complaint) /,
  / (thanks|thank you) (anyway|for trying) | too bad /,
];

export function matchesAny(text: string, patterns: readonly RegExp[]): number {
  let count = 0;
  for (const pattern of patterns) if (pattern.test(text)) count += 1;
  return count;
}
