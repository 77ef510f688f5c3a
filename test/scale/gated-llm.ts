import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatedLlm {
  /** For PARLEY_LLM_BASE_URL. */
  baseUrl: string;
  /** Streamed requests received: the ones holding at the gate, and those already answered. */
  received: number;
  /** Resolves when the `n`th streamed request has arrived (and is held). */
  arrived(n: number): Promise<void>;
  /** Lets every held answer, and every later one, finish. */
  open(): void;
  close(): Promise<void>;
}

/** The answer each request gets, in these stream pieces. */
export const GATED_PIECES = ['Bikes can be returned ', 'within 30 days.'];

/**
 * An OpenAI-compatible chat completions endpoint on OpenAI's real streaming wire (Server-Sent
 * Events of `chat.completion.chunk` objects, then `data: [DONE]`) that sends its first chunk at
 * once and the rest only when the test opens its gate: a turn held mid-answer for as long as the
 * test needs it.
 */
export async function startGatedLlm(model: string): Promise<GatedLlm> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const waiters: { n: number; resolve: () => void }[] = [];
  const llm = { received: 0 };
  const server: Server = createServer(async (req, res) => {
    for await (const chunk of req) void chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } }));
      return;
    }
    llm.received++;
    for (const w of waiters.filter((w) => llm.received >= w.n)) w.resolve();
    const id = `chatcmpl-gated${llm.received}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: object, finishReason: string | null) => `data: ${JSON.stringify({
      id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_parley_test',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(chunk({ role: 'assistant', content: '', refusal: null }, null));
    await gate;
    for (const piece of GATED_PIECES) res.write(chunk({ content: piece }, null));
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get received() {
      return llm.received;
    },
    arrived: (n) => (llm.received >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    open: () => open(),
    close: () => {
      open();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
