import assert from 'node:assert/strict';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { App } from '../../src/api/http.ts';
import type { AgentProfile, Answerer, AnswerRequest } from '../../src/core/agents/runtime/answerer.ts';
import { assertVendorBody } from './agent-fixtures.ts';

/* Helpers for the agent surface's turns: NDJSON lines, checked against the vendor's event schemas. */

/** A small knowledge base: two facts, so an answerable question gets one and an unanswerable one the honest "I don't know". */
export const HELP = '# Returns\nBikes can be returned within 30 days for a full refund.\n\n# Opening hours\nThe shop is open from 9am to 6pm on weekdays.';

export type Line = Record<string, unknown> & { type: string };

const COMPONENT: Record<string, string> = {
  'conversation-created': 'ConversationCreatedEvent',
  'user-message-available': 'UserMessageAvailableEvent',
  'current-agent-action': 'CurrentAgentActionEvent',
  'new-message': 'NewMessageEvent',
  'interaction-complete': 'InteractionCompleteEvent',
  error: 'ErrorEvent',
};

/** The response's NDJSON lines, each valid against the vendor's schema for its event type. */
export async function ndjsonLines(res: Response | string): Promise<Line[]> {
  const body = typeof res === 'string' ? res : res.body;
  const lines = body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
  for (const line of lines) {
    assert.ok(COMPONENT[line.type], `unknown event type ${line.type}`);
    await assertVendorBody(line, { component: COMPONENT[line.type] });
  }
  return lines;
}

/** Asserts the pieces are consecutive from 0, `stop` on the last only, and the complete event's full_message is them joined. */
export function assertPieces(lines: Line[]): { text: string; interactionId: string; messageId: string } {
  const pieces = lines.filter((l) => l.type === 'new-message');
  assert.ok(pieces.length > 0, 'at least one piece');
  pieces.forEach((p, i) => {
    assert.equal(p.sequence_number, i);
    assert.equal(p.stop, i === pieces.length - 1);
    assert.equal(p.message_id, pieces[0].message_id);
  });
  const complete = lines[lines.length - 1];
  assert.equal(complete.type, 'interaction-complete');
  const text = pieces.map((p) => p.message as string).join('');
  assert.equal(complete.full_message, text);
  assert.equal(complete.message_id, pieces[0].message_id);
  assert.equal(complete.conversation_completed, false);
  return { text, interactionId: complete.interaction_id as string, messageId: complete.message_id as string };
}

/** A multipart/form-data body as Amigo's SDK and `curl -F` send it. */
export function multipart(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  const boundary = '----parleytest7f3a';
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { payload: `${parts.join('')}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export function createConversation(app: App, org: string, bearer: string, body: object, query = 'response_format=text') {
  return app.inject({
    method: 'POST', url: `/v1/${org}/conversation/?${query}`,
    headers: { authorization: `Bearer ${bearer}` }, payload: body,
  });
}

export function interact(app: App, org: string, bearer: string, conversationId: string, fields: Record<string, string>, query = 'request_format=text&response_format=text') {
  const form = multipart(fields);
  return app.inject({
    method: 'POST', url: `/v1/${org}/conversation/${conversationId}/interact?${query}`,
    headers: { authorization: `Bearer ${bearer}`, ...form.headers }, payload: form.payload,
  });
}

export function finish(app: App, org: string, bearer: string, conversationId: string) {
  return app.inject({ method: 'POST', url: `/v1/${org}/conversation/${conversationId}/finish/`, headers: { authorization: `Bearer ${bearer}` } });
}

/**
 * Resolves when `check` holds, polling. The ceiling only ends a hung test: it is far above what a
 * busy CI machine needs (the other suites' waits allow 30-60 s too).
 */
export async function until(check: () => Promise<boolean> | boolean, what: string, ceilingMs = 60_000): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`${what} did not happen within ${ceilingMs} ms`);
}

/**
 * An answerer that sends its first piece, then waits until the test opens its gate (or the turn is
 * cancelled): a turn held open mid-stream.
 */
export class GatedAnswerer implements Answerer {
  readonly name = 'gated';
  waiting = 0;
  private open: (() => void) | undefined;
  private gate = new Promise<void>((resolve) => { this.open = resolve; });

  release(): void {
    this.open?.();
    this.gate = new Promise<void>((resolve) => { this.open = resolve; });
  }

  async *greet(agent: AgentProfile): AsyncIterable<string> {
    yield `Hello, I'm ${agent.name}.`;
  }

  async recommend(): Promise<string[]> {
    return ['Thanks!'];
  }

  async *answer(request: AnswerRequest): AsyncIterable<string> {
    yield 'Let me ';
    this.waiting++;
    const gate = this.gate;
    await new Promise<void>((resolve) => {
      gate.then(resolve);
      request.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.waiting--;
    if (request.signal.aborted) return;
    yield 'check that.';
    request.record({ passages: [], calls: [], answeredFromKnowledge: false });
  }
}
