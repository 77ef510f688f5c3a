import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/** How the receiver answers: 200, 503, or never (the request hangs until the server closes). */
export type ReceiverMode = 'ok' | 'fail' | 'stall';

/** A real HTTP webhook receiver on 127.0.0.1 that records every request it answers. */
export class WebhookReceiver {
  /** Requests answered 2xx. */
  readonly received: Received[] = [];
  /** Every request that reached the receiver, whatever it answered. */
  readonly seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  mode: ReceiverMode = 'ok';
  /** Requests seen, answered or not. */
  requests = 0;
  private server: Server | undefined;
  private stalled: ServerResponse[] = [];
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Starts listening; on the same port as before when it was stopped. */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        const body = Buffer.concat(chunks).toString('utf8');
        this.seen.push({ headers: req.headers, body });
        if (this.mode === 'stall') {
          this.stalled.push(res);
          return;
        }
        if (this.mode === 'fail') {
          res.writeHead(503).end('down for maintenance');
          return;
        }
        this.received.push({ headers: req.headers, body, json: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Requests held by 'stall' and not yet answered. */
  get stalledCount(): number {
    return this.stalled.length;
  }

  /** Answers the requests held by 'stall' with 204, recording them as received. */
  releaseStalled(): void {
    for (const res of this.stalled.splice(0)) {
      const seen = this.seen[this.seen.length - 1];
      this.received.push({ headers: seen.headers, body: seen.body, json: JSON.parse(seen.body) });
      res.writeHead(204).end();
    }
  }

  /** Stops listening: connections are refused until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.stalled.splice(0)) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Received bodies grouped by conversation id, in arrival order. */
  byConversation(): Map<string, Received[]> {
    const out = new Map<string, Received[]>();
    for (const r of this.received) {
      const id = String(r.json.data.conversationId);
      out.set(id, [...(out.get(id) ?? []), r]);
    }
    return out;
  }
}
