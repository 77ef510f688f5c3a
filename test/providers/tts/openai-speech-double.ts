import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pcm16ToLittleEndian } from '../../../src/audio/codecs.ts';

/**
 * A local stand-in for an OpenAI-compatible speech server (`POST /v1/audio/speech`, JSON body,
 * `response_format: "pcm"` answered with raw 24 kHz PCM16 mono, chunked), which CI cannot reach.
 * The audio is derived from the input: one 100 ms tone burst per word, so a test can check what
 * went over the wire. It streams: the first half of the audio goes out at once, the rest, after
 * `holdBack()`, only when the test calls `release()`, proving the client yields audio as it comes.
 */
export interface SpeechDouble {
  baseUrl: string;
  requests: { model: string; input: string; voice: string; responseFormat: string; authorization: string }[];
  /** The next N requests answer with this HTTP status. */
  failNext(status: number, times?: number): void;
  /** The next request sends its head and nothing more, until the connection closes. */
  stallNext(): void;
  /** The next answer holds back its second half until release(). */
  holdBack(): void;
  release(): void;
  close(): Promise<void>;
}

export const DOUBLE_RATE = 24000;
const BURST = DOUBLE_RATE / 10;

/** One 100 ms 440 Hz burst and 100 ms of silence per word. */
export function speechOf(input: string): Int16Array {
  const words = input.split(/\s+/).filter(Boolean).length;
  const pcm = new Int16Array(words * 2 * BURST);
  for (let w = 0; w < words; w++) {
    for (let i = 0; i < BURST; i++) pcm[w * 2 * BURST + i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / DOUBLE_RATE));
  }
  return pcm;
}

export async function startSpeechDouble(apiKey: string): Promise<SpeechDouble> {
  const requests: SpeechDouble['requests'] = [];
  let failures: { status: number; times: number } | null = null;
  let stall = false;
  let holding = false;
  let gate: { promise: Promise<void>; open: () => void } = newGate();
  const open = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const error = (status: number, message: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') return error(404, 'not found');
    if (req.headers.authorization !== `Bearer ${apiKey}`) return error(401, 'Incorrect API key provided');
    if (failures && failures.times > 0) {
      failures.times--;
      return error(failures.status, 'overloaded');
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
    requests.push({ model: body.model, input: body.input, voice: body.voice, responseFormat: body.response_format, authorization: req.headers.authorization });
    if (body.response_format !== 'pcm') return error(400, 'this double speaks pcm only');
    res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked' });
    if (stall) {
      stall = false;
      open.add(res);
      res.on('close', () => open.delete(res));
      return;
    }
    const bytes = pcm16ToLittleEndian(speechOf(body.input));
    // An odd split: a sample torn across two chunks must be put back together by the client.
    const half = Math.floor(bytes.length / 2) | 1;
    res.write(bytes.subarray(0, half));
    if (holding) {
      holding = false;
      await gate.promise;
    }
    res.end(bytes.subarray(half));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext(status, times = 1) {
      failures = { status, times };
    },
    stallNext() {
      stall = true;
    },
    holdBack() {
      holding = true;
    },
    release() {
      gate.open();
      gate = newGate();
    },
    close: () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function newGate() {
  let openGate = () => {};
  const promise = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  return { promise, open: openGate };
}
