import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible chat completions endpoint (these machines cannot
 * reach a real one): real HTTP, the real request and response JSON shapes, the real streaming
 * wire format (`stream: true`: Server-Sent Events of `chat.completion.chunk` objects, then
 * `data: [DONE]`), and the real error shapes for a bad key (401) or an unknown model (404). Each
 * accepted request is answered by the next scripted reply.
 */
export interface FakeLlm {
  baseUrl: string;
  requests: { authorization: string | undefined; body: ChatRequest }[];
  /** Queues the contents of the next answers (a string is sent as is, so it can be malformed). */
  reply(...contents: (string | object)[]): void;
  /** Queues scripted answers: streamed pieces, failures mid-stream, or an HTTP error. */
  script(...replies: Scripted[]): void;
  close(): Promise<void>;
}

/**
 * - `pieces`: the content, in these stream pieces (a plain completion joins them);
 * - `dropAfter`: after that many pieces the connection is cut without `[DONE]`;
 * - `errorAfter`: after that many pieces an `error` object is sent in the stream, as OpenAI does;
 * - `stallAfter`: after that many pieces nothing more is sent until the client gives up;
 * - `status`: the request is refused with that HTTP status and OpenAI's error body.
 */
export type Scripted =
  | { pieces: string[]; dropAfter?: number; errorAfter?: number; stallAfter?: number }
  | { status: number; message?: string };

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string };
  temperature?: number;
  stream?: boolean;
}

function openAiError(status: number, message: string, type: string, code: string | null) {
  return { status, body: { error: { message, type, param: null, code } } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeLlm(options: { apiKey: string; model: string }): Promise<FakeLlm> {
  const queue: Scripted[] = [];
  const requests: FakeLlm['requests'] = [];
  let created = 1_700_000_000;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      const e = openAiError(404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', 'unknown_url');
      return send(e.status, e.body);
    }
    const body = JSON.parse(await readBody(req)) as ChatRequest;
    requests.push({ authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const e = openAiError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
      return send(e.status, e.body);
    }
    if (body.model !== options.model) {
      const e = openAiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
      return send(e.status, e.body);
    }
    const next = queue.shift();
    if (next === undefined) {
      const e = openAiError(500, 'The fake LLM has no scripted reply left.', 'server_error', null);
      return send(e.status, e.body);
    }
    if ('status' in next) {
      const e = openAiError(next.status, next.message ?? 'The server had an error while processing your request.', 'server_error', null);
      return send(e.status, e.body);
    }
    created += 1;
    const id = `chatcmpl-${created}`;
    if (!body.stream) {
      return send(200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: next.pieces.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 120, completion_tokens: 60, total_tokens: 180 },
        system_fingerprint: 'fp_parley_test',
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: object, finishReason: string | null) => `data: ${JSON.stringify({
      id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_parley_test',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    })}\n\n`;
    // Each piece is flushed before the next step, so a cut connection comes after what was sent.
    const write = (data: string) => new Promise<void>((resolve) => res.write(data, () => resolve()));
    await write(chunk({ role: 'assistant', content: '', refusal: null }, null));
    for (const [i, piece] of next.pieces.entries()) {
      if (i === next.dropAfter) return res.socket?.destroy();
      if (i === next.errorAfter) {
        await write(`data: ${JSON.stringify({ error: { message: 'The model overloaded mid-answer.', type: 'server_error', param: null, code: null } })}\n\n`);
        return res.end();
      }
      if (i === next.stallAfter) return;
      await write(chunk({ content: piece }, null));
    }
    if (next.dropAfter === next.pieces.length) return res.socket?.destroy();
    await write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...contents) => queue.push(...contents.map((c) => ({ pieces: [typeof c === 'string' ? c : JSON.stringify(c)] }))),
    script: (...replies) => queue.push(...replies),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const GOOD_ANSWER = {
  sentiment: 'negative',
  sentimentScore: -0.6,
  taskCompleted: false,
  topics: ['delivery delay', 'refund'],
  summary: 'The user asked where a late parcel was; the agent could not give a date. The user remained frustrated.',
  issues: [{ description: 'Parcel five days late with no update', severity: 'high' }],
};
