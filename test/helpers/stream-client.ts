/**
 * A client of Parley's live event streams over a real socket (inject() buffers a whole response,
 * and a stream never ends): parses SSE or NDJSON frames as they arrive and lets a test wait for a
 * condition on them.
 */

export interface Frame {
  /** SSE: an event frame or a comment line (`: heartbeat`); NDJSON: every line is a `data` frame. */
  kind: 'data' | 'comment';
  id?: string;
  event?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
  comment?: string;
}

export interface StreamClient {
  status: number;
  contentType: string;
  /** The response's Connection header. */
  connection: string | null;
  frames: Frame[];
  /** The response body ended (the server closed the stream). */
  ended: boolean;
  /** Starts reading the body when opened with `read: false` (a consumer that stalls). */
  read(): void;
  /** Resolves once `condition` holds on the frames so far; fails after `timeoutMs` naming `what`. */
  until(condition: (frames: Frame[]) => boolean, what: string, timeoutMs?: number): Promise<Frame[]>;
  close(): void;
  /** The body's text, for error answers. */
  text(): Promise<string>;
}

/** Event frames only (no heartbeats, no end frame). */
export function eventsOf(frames: readonly Frame[]): Frame[] {
  return frames.filter((f) => f.kind === 'data' && f.data?.type !== 'heartbeat' && f.data?.type !== 'end');
}

export async function openStream(url: string, headers: Record<string, string>, options: { read?: boolean } = {}): Promise<StreamClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const contentType = res.headers.get('content-type') ?? '';
  const ndjson = contentType.startsWith('application/x-ndjson');
  const waiters = new Set<() => void>();
  let buffer = '';
  const client: StreamClient = {
    status: res.status,
    contentType,
    connection: res.headers.get('connection'),
    frames: [],
    ended: false,
    read() {
      void (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            parse();
          }
        } catch {
          // aborted by close()
        }
        client.ended = true;
        for (const wake of waiters) wake();
      })();
    },
    until(condition, what, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (condition(client.frames)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(client.frames);
          } else if (client.ended) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`stream ended before ${what}; frames: ${JSON.stringify(client.frames).slice(0, 2000)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(client.frames).slice(0, 2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      controller.abort();
    },
    text: () => res.text(),
  };

  function parse() {
    const separator = ndjson ? '\n' : '\n\n';
    let at: number;
    while ((at = buffer.indexOf(separator)) >= 0) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + separator.length);
      if (ndjson) {
        if (block.trim()) client.frames.push({ kind: 'data', data: JSON.parse(block) });
        continue;
      }
      const frame: Frame = { kind: 'comment' };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) {
          frame.kind = 'data';
          frame.data = JSON.parse(line.slice(6));
        }
      }
      client.frames.push(frame);
    }
    for (const wake of [...waiters]) wake();
  }

  if (res.ok && options.read !== false) client.read();
  return client;
}
