/**
 * What the console tests look at, put in through the public APIs as clients would: a chat with a
 * redaction and a deletion (conversations surface), a recorded call that is transcribed and
 * analysed (voice surface, the recognizer double), and an agent conversation handed to a human
 * with a question waiting and a vote on it (support surface).
 */
import assert from 'node:assert/strict';
import { encodeAudio } from '../../src/audio/codecs.ts';
import { ndjsonStream, PARTICIPANTS, PROFILE, sessionEvent } from '../api/voice-helpers.ts';
import { tonesAt } from '../providers/asr/openai-asr-double.ts';
import { api, type ConsoleContext } from './harness.ts';

const BASE = `/v1/${PROFILE}`;

export interface Seeded {
  /** Conversation resource names. */
  chat: string;
  call: string;
  desk: string;
  /** The desk conversation on the support surface, its agent's key and the waiting question. */
  deskId: string;
  agentKey: string;
  question: string;
}

/** A console path of a conversation: `/conversations/default/<id>`. */
export const consolePath = (name: string) => `/conversations/${name.split('/')[3]}/${name.split('/').pop()}`;

async function chat(ctx: ConsoleContext): Promise<string> {
  const started = await api<{ name: string }>(ctx, 'POST', `${BASE}/conversations:start`, {
    displayName: 'Refund for a broken bike', channel: 'CHAT', visitor: { externalUserId: 'rider-17', displayName: 'Robin Rider' },
  });
  const say = (speaker: string, text: string) => api<{ name: string }>(ctx, 'POST', `/v1/${started.name}/conversationMessages`, { speaker, text });
  await say('VISITOR', 'Hello, my bike arrived with a broken wheel.');
  const card = await say('VISITOR', 'My card is 4111 1111 1111 1111, please refund it.');
  await say('AGENT', 'Sorry to hear that! I have started the refund, it takes 3 days.');
  const oops = await say('VISITOR', 'Oops, wrong chat.');
  await say('VISITOR', 'Thank you, that solves it.');
  // The card number: bytes 11–30 of the message.
  await api(ctx, 'POST', `/v1/${card.name}:redact`, { startIndex: 11, endIndex: 30 });
  await api(ctx, 'DELETE', `/v1/${oops.name}`);
  await api(ctx, 'POST', `/v1/${started.name}/tags`, { tag: `${PROFILE}/tags/refund` });
  await api(ctx, 'POST', `/v1/${started.name}:close`, {});
  return started.name;
}

/** 20 ms µ-law frames of one side of a call, loud during `bursts` ([start, end] seconds). */
function frames(seconds: number, bursts: [number, number][]): Buffer[] {
  const pcm = tonesAt(8000, seconds, bursts);
  const out: Buffer[] = [];
  for (let i = 0; i < pcm.length; i += 160) out.push(Buffer.from(encodeAudio(pcm.subarray(i, i + 160), 'MULAW')));
  return out;
}

/** A 5 s call: the agent speaks (0.3–1.5 s), then the visitor (2.5–4.0 s); the transcript comes from the recording. */
async function call(ctx: ConsoleContext): Promise<string> {
  const stream = await ndjsonStream(new URL(ctx.origin).host, '/v1/voicecallsession/streamCallSession', ctx.auth);
  const id = 'console-call-1';
  const first = await stream.call({
    streamingConfig: { profile: PROFILE, platformCallId: id, channelType: 'SEPARATE', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: 8000 } },
    sessionEvent: sessionEvent('CALL_START', id, new Date(Date.now() - 60_000).toISOString(), { participants: PARTICIPANTS }),
    sequenceId: '0',
  });
  assert.ok(first.result, JSON.stringify(first));
  const agent = frames(5, [[0.3, 1.5]]);
  const visitor = frames(5, [[2.5, 4.0]]);
  for (let i = 0; i < agent.length; i++) {
    for (const [role, frame] of [['AGENT', agent[i]], ['VISITOR', visitor[i]]] as const) {
      const item = await stream.call({ audioContent: { audioContent: frame.toString('base64'), participant: { role } } });
      assert.ok(item.result, JSON.stringify(item));
    }
  }
  const ended = await stream.call({ sessionEvent: sessionEvent('CALL_END', id, new Date().toISOString()), sequenceId: '1' });
  assert.equal(ended.result.sessionStatus.state, 'ENDED');
  await stream.end();
  return first.result.conversationName;
}

/** An agent's conversation on the support desk, taken over by a human, with a question waiting. */
async function desk(ctx: ConsoleContext): Promise<{ name: string; deskId: string; agentKey: string; question: string }> {
  const agent = await api<{ name: string }>(ctx, 'POST', `${BASE}/agents`, { displayName: 'Bike shop helper', instructions: 'Answer from the help pages.' });
  await api(ctx, 'POST', `/v1/${agent.name}/knowledge`, { displayName: 'returns.md', content: '# Returns\nBikes can be returned within 30 days.' });
  await api(ctx, 'POST', `/v1/${agent.name}:release`, {});
  const { secret: agentKey } = await api<{ secret: string }>(ctx, 'POST', '/v1/customers/acme/apiKeys', { displayName: 'desk', agent: agent.name });
  const headers = { 'agent-secret-key': agentKey };
  const { id } = await api<{ id: string }>(ctx, 'POST', '/external/conversations', { conversationUserId: 'rider-42' }, headers, 201);
  await api(ctx, 'PUT', `/external/conversations/${id}/mode`, { mode: 'manual' }, headers);
  const question = 'Can I swap my bike for a bigger frame?';
  const asked = await api<{ id: string }>(ctx, 'POST', `/external/conversations/${id}/messages/async`, { message: question }, headers, 201);
  // A supervisor's vote on it: the conversation's feedback.
  await api(ctx, 'POST', '/external/conversation-message-feedbacks', { conversationMessageId: asked.id, userId: 'supervisor-1', voteType: 'up', question }, headers, 201);
  const conversation = await api<{ aiConversationId: string }>(ctx, 'GET', `/external/conversations/${id}`, undefined, headers);
  return { name: `${PROFILE}/conversations/${conversation.aiConversationId}`, deskId: id, agentKey, question };
}

export async function seed(ctx: ConsoleContext): Promise<Seeded> {
  const chatName = await chat(ctx);
  const callName = await call(ctx);
  const d = await desk(ctx);
  // Transcription of the call, then the analyses of the closed conversations.
  await ctx.runJobs();
  return { chat: chatName, call: callName, desk: d.name, deskId: d.deskId, agentKey: d.agentKey, question: d.question };
}
