import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { encodeAudio, type AudioEncoding } from '../../src/audio/codecs.ts';
import type { App } from '../../src/api/http.ts';
import type { TestContext } from '../helpers/app.ts';

/** Row counts of the core tables plus the voice tables: unchanged after a refused message. */
export async function voiceSnapshot(ctx: TestContext): Promise<Record<string, number>> {
  const counts = await ctx.snapshot();
  for (const table of ['calls', 'call_events', 'jobs']) {
    counts[table] = (await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  }
  return counts;
}

export async function listen(app: App): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return `127.0.0.1:${port}`;
}

/** Lines of a response body handed out one at a time as they arrive. */
class LineQueue {
  private lines: string[] = [];
  private waiters: ((line: string | null) => void)[] = [];
  private ended = false;
  private partial = '';

  push(chunk: string): void {
    this.partial += chunk;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    }
  }

  end(): void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  next(): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** One response item of a stream; exactly one of the two is present (a test reading the absent one fails). */
export interface StreamItem {
  result: {
    sessionStatus: { state: string; eventsProcessed: number; audioSecondsReceived: Record<string, number>; lastEventType: string };
    sequenceId?: string;
    conversationName: string;
  };
  error: { code: number; message: string; details: unknown[] };
}

/** The fields of a wire Conversation these tests read. */
export interface VoiceConversation {
  name: string;
  state: string;
  channel: string;
  source: string;
  startTime: string;
  endTime: string;
  agent: string;
  visitor: Record<string, string>;
  audioPersistenceState: string;
  persistedAudioDuration: string;
  persistedAudioUri: string;
  audioAnalysis: { bucketDuration: string; agentEnergy: number[]; visitorEnergy: number[] };
  participants: { role: string; user: string; leaveTime: string }[];
  transferInfo: Record<string, string>;
}

export interface ClientStream {
  /** Sends one message (an object is JSON-encoded; a string is sent as is). */
  send(message: object | string): void;
  /** The next response item, as it arrives. */
  next(): Promise<StreamItem>;
  /** Sends a message and waits for its item. */
  call(message: object | string): Promise<StreamItem>;
  /** Ends the request body (NDJSON) or closes the socket (WebSocket); resolves when the server is done. */
  end(): Promise<void>;
  /** Drops the connection without ending the stream properly. */
  abort(): void;
  sendBinary?(bytes: Buffer): void;
}

/** A real socket POST with a chunked NDJSON body, reading response lines as they come. */
export async function ndjsonStream(address: string, path: string, headers: Record<string, string>): Promise<ClientStream> {
  const lines = new LineQueue();
  const [host, port] = address.split(':');
  const request = http.request({
    host, port: Number(port), path, method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
  });
  const done = new Promise<void>((resolve) => {
    request.on('response', (res) => {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/x-ndjson');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => lines.push(chunk));
      res.on('end', () => {
        lines.end();
        resolve();
      });
      res.on('error', () => {
        lines.end();
        resolve();
      });
    });
    request.on('error', () => {
      lines.end();
      resolve();
    });
  });
  request.flushHeaders();
  const next = async () => {
    const line = await lines.next();
    assert.ok(line !== null, 'the response ended before the expected item');
    return JSON.parse(line) as StreamItem;
  };
  const send = (message: object | string) => {
    request.write(typeof message === 'string' ? message : `${JSON.stringify(message)}\n`);
  };
  return {
    send,
    next,
    async call(message) {
      send(message);
      return next();
    },
    async end() {
      request.end();
      await done;
    },
    abort() {
      request.destroy();
    },
  };
}

export async function webSocketStream(address: string, path: string, headers: Record<string, string>): Promise<ClientStream> {
  const socket = new WebSocket(`ws://${address}${path}`, { headers });
  const lines = new LineQueue();
  socket.on('message', (data) => lines.push(`${data.toString()}\n`));
  const closed = new Promise<void>((resolve) => socket.on('close', () => {
    lines.end();
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = async () => {
    const line = await lines.next();
    assert.ok(line !== null, 'the socket closed before the expected item');
    return JSON.parse(line) as StreamItem;
  };
  const send = (message: object | string) => socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  return {
    send,
    next,
    async call(message) {
      send(message);
      return next();
    },
    sendBinary(bytes) {
      socket.send(bytes, { binary: true });
    },
    async end() {
      socket.close();
      await closed;
    },
    abort() {
      socket.terminate();
    },
  };
}

/** `count` 20 ms frames of a tone, encoded; `amplitude` makes each side's energy recognisable. */
export function toneFrames(count: number, options: { rate?: number; encoding?: AudioEncoding; amplitude?: number; stereo?: boolean } = {}): Buffer[] {
  const rate = options.rate ?? 8000;
  const perFrame = rate / 50;
  const frames: Buffer[] = [];
  for (let f = 0; f < count; f++) {
    const pcm = new Int16Array(perFrame * (options.stereo ? 2 : 1));
    for (let i = 0; i < perFrame; i++) {
      const t = (f * perFrame + i) / rate;
      const left = Math.round((options.amplitude ?? 8000) * Math.sin(2 * Math.PI * 440 * t));
      if (options.stereo) {
        pcm[2 * i] = left;
        pcm[2 * i + 1] = Math.round(left / 4);
      } else {
        pcm[i] = left;
      }
    }
    frames.push(Buffer.from(encodeAudio(pcm, options.encoding ?? 'MULAW')));
  }
  return frames;
}

export const PROFILE = 'customers/acme/profiles/default';

export function sessionEvent(eventType: string, platformCallId: string, time?: string, extra: Record<string, unknown> = {}) {
  return { eventType, platformCallId, ...(time ? { platformTime: time } : {}), ...extra };
}

export const PARTICIPANTS = [
  { role: 'AGENT', user: 'customers/acme/users/alice', platformAgentId: 'agent-7' },
  { role: 'VISITOR', externalUserId: '+15550100' },
];

export function processEvent(ctx: TestContext, body: object, auth = ctx.a.auth, profile = PROFILE) {
  return ctx.app.inject({ method: 'POST', url: `/v1/voicecallsession/${profile}/sessionEvent:process`, headers: auth, payload: body });
}

export async function conversationOfCall(ctx: TestContext, platformCallId: string): Promise<VoiceConversation> {
  const rows = await ctx.database.db.query<{ nameId: string }>(
    `SELECT c.name_id AS "nameId" FROM calls JOIN conversations c ON c.customer_id = calls.customer_id AND c.id = calls.conversation_id
      WHERE calls.customer_id = 'acme' AND calls.platform_call_id = $1`, [platformCallId]);
  assert.equal(rows.length, 1, `one conversation for call ${platformCallId}`);
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/${PROFILE}/conversations/${rows[0].nameId}`, headers: ctx.a.auth });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().conversation;
}

export async function eventTypes(ctx: TestContext, conversationName: string): Promise<string[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/${conversationName}/events?pageSize=1000`, headers: ctx.a.auth });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().conversationEvents.map((e: { type: string }) => e.type);
}
