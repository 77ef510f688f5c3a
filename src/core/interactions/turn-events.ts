/*
 * What a turn tells its caller as it runs, in the order it happens. The agent surface writes each
 * as one NDJSON event (api/agent/map.ts); the core names no wire shapes.
 */

/** The turn's input is known: the user's message (or the external event) and the id it will be stored under. */
export interface InputEvent {
  kind: 'input';
  messageId: string;
  text: string;
}

/** A step the runtime takes before it replies (a knowledge search), started or ended. */
export interface ActionEvent {
  kind: 'action';
  phase: 'started' | 'ended';
  tool: string;
  input: Record<string, string>;
  /** On `ended`: what it gave, and how long it took in seconds. */
  result?: string;
  durationSeconds?: number;
}

/** One piece of the reply; `last` on the final one. Joined in `sequence` order, the pieces are the reply. */
export interface PieceEvent {
  kind: 'piece';
  messageId: string;
  text: string;
  sequence: number;
  last: boolean;
  /**
   * A spoken reply's piece (voice-turn.ts): base64 PCM16 at VOICE_REPLY_SAMPLE_RATE_HERTZ, with
   * the characters of the sentence it starts and when each is spoken; `text` is that sentence.
   */
  speech?: { audio: string; alignment: [number, string][] | null };
}

/** The turn is persisted (committed): its messages are readable now. */
export interface CompleteEvent {
  kind: 'complete';
  messageId: string;
  interactionId: string;
  fullMessage: string;
  conversationCompleted: boolean;
}

export type TurnEvent = InputEvent | ActionEvent | PieceEvent | CompleteEvent;

/** Who starts a turn: the end user, or an event from outside the conversation (Amigo's external-event). */
export type TurnInputType = 'user-message' | 'external-event';
