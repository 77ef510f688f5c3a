/**
 * Live events from the conversations surface's SSE streams (`events:stream`). EventSource cannot
 * send an Authorization header, so the stream is read with the generated client (a fetch) and
 * parsed with eventsource-parser. The stream resumes after the last event's cursor (`?after=`)
 * when the server ends it (`event: end`, e.g. at shutdown) or the connection drops.
 */
import { createParser } from 'eventsource-parser';
import { conversations } from './client.ts';
import type { ConversationRef } from './names.ts';

export interface StreamedEvent {
  /** `customers/c/profiles/p/conversations/id/events/seq` */
  name: string;
  type: string;
  createTime: string;
  actor: string;
  payload: Record<string, unknown>;
  associatedMessage: string;
  cursor: string;
}

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface FollowOptions {
  onEvent(event: StreamedEvent): void;
  onStatus?(status: StreamStatus): void;
}

/** Waits before a reconnect: 1 s, 2 s, 4 s … at most 30 s; reset by a successful connection. */
const backoff = (attempt: number) => Math.min(30_000, 1000 * 2 ** attempt);

type Open = (after: string | undefined, signal: AbortSignal) => Promise<Response>;

function follow(open: Open, { onEvent, onStatus }: FollowOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  let after: string | undefined;
  let attempt = 0;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

  void (async () => {
    onStatus?.('connecting');
    while (!signal.aborted) {
      try {
        const response = await open(after, signal);
        // A refused key signs the session out (client.ts); anything else 4xx will not get better by retrying.
        if (response.status >= 400 && response.status < 500 && response.status !== 429) break;
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        attempt = 0;
        onStatus?.('live');
        const parser = createParser({
          onEvent(message) {
            const data = JSON.parse(message.data) as StreamedEvent | { type: 'end'; cursor: string };
            if (message.event === 'end' || data.type === 'end') {
              after = data.cursor || after;
              return;
            }
            after = message.id ?? (data as StreamedEvent).cursor ?? after;
            onEvent(data as StreamedEvent);
          },
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        if (signal.aborted) break;
      }
      if (signal.aborted) break;
      onStatus?.('reconnecting');
      await pause(backoff(attempt++));
    }
    onStatus?.('stopped');
  })();
  return () => controller.abort();
}

/** Every event of the profile's conversations from now on; returns a function that stops following. */
export function followProfile(ref: { customer: string; profile: string }, options: FollowOptions): () => void {
  return follow(async (after, signal) => (await conversations.GET('/v1/customers/{customer}/profiles/{profile}/events:stream', {
    params: { path: ref, query: after ? { after } : {} },
    parseAs: 'stream',
    signal,
  })).response, options);
}

/** Every event of one conversation from now on. */
export function followConversation(ref: ConversationRef, options: FollowOptions): () => void {
  return follow(async (after, signal) => (await conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/events:stream', {
    params: { path: ref, query: after ? { after } : {} },
    parseAs: 'stream',
    signal,
  })).response, options);
}
