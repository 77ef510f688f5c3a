import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** `webhook-id`: the event id, the same on every retry of it. */
  id: string;
  body: { id: string; type: string; data: { name?: string } & Record<string, unknown> };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves when `match` holds for at least `n` of the requests received. */
  count(n: number, match: (w: ReceivedWebhook) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** A local webhook endpoint that keeps every request it gets and answers 204. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: { n: number; match: (w: ReceivedWebhook) => boolean; resolve: () => void }[] = [];
  const settle = () => {
    for (const w of [...waiters]) {
      if (received.filter(w.match).length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ id: String(req.headers['webhook-id']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(204).end();
    settle();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    count: (n, match) => new Promise((resolve) => {
      waiters.push({ n, match, resolve });
      settle();
    }),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
