/**
 * A sample as JSONL, built in the browser from the API, line for line what `parley sample` writes
 * (src/cli/sample.ts): the sample page by page, then each conversation's messages in order.
 *  - `openai`: `{"messages":[{"role","content"}…]}` (OpenAI's chat fine-tuning format), leaving out
 *    deleted and PARTIAL messages and those without text; no line for a conversation left with none.
 *  - `parley`: `{"conversation": <Conversation>, "messages": [<ConversationMessage>…]}`.
 * A conversation deleted since it was sampled is left out, as the CLI does.
 */
import type { components } from '../../api/conversations';
import { ApiError, conversations, ok } from '../../api/client.ts';
import { lastSegment } from '../../api/names.ts';
import type { SampleFilter } from './request.ts';

type Conversation = components['schemas']['Conversation'];
type Message = components['schemas']['ConversationMessage'];
export type SampleFormat = 'openai' | 'parley';

/** Names a sample page holds, and messages a list page: the API's maxima, so a sample is few requests. */
const SAMPLE_PAGE = 10_000;
const MESSAGE_PAGE = 1000;
/** BatchGetConversations' most names. */
const BATCH = 100;
/** Conversations whose messages are read at once: enough to hide latency, few enough to leave the server to others. */
const PARALLEL = 4;

/** Speakers onto chat roles: src/core/messages/chat-roles.ts (the wire carries no recorded role, so the speaker decides). */
const CHAT_ROLE: Record<NonNullable<Message['speaker']>, string> = {
  ROLE_UNSPECIFIED: 'system', VISITOR: 'user', AGENT: 'assistant', VIRTUAL_AGENT: 'assistant', SUPERVISOR: 'assistant', SYSTEM: 'system',
};

export function openaiLine(messages: readonly Message[]): string | undefined {
  const chat = messages
    .filter((m) => m.state !== 'DELETED' && m.state !== 'PARTIAL' && (m.text ?? '').trim() !== '')
    .map((m) => ({ role: CHAT_ROLE[m.speaker ?? 'ROLE_UNSPECIFIED'], content: m.text ?? '' }));
  return chat.length > 0 ? JSON.stringify({ messages: chat }) : undefined;
}

const notFound = (err: unknown) => err instanceof ApiError && err.status === 404;

interface Scope {
  customer: string;
  profile: string;
  signal: AbortSignal;
}

async function messagesOf(scope: Scope, name: string): Promise<Message[] | undefined> {
  const path = { customer: scope.customer, profile: scope.profile, conversation: lastSegment(name) };
  const messages: Message[] = [];
  let pageToken = '';
  try {
    do {
      const page = await ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/conversationMessages', {
        params: { path, query: { pageSize: MESSAGE_PAGE, ...(pageToken ? { pageToken } : {}) } }, signal: scope.signal,
      }));
      messages.push(...page.conversationMessages);
      pageToken = page.nextPageToken;
    } while (pageToken);
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
  return messages;
}

/** The conversations of `names` in order; one deleted since it was sampled is undefined. */
async function conversationsOf(scope: Scope, names: string[]): Promise<(Conversation | undefined)[]> {
  const get = (batch: string[]) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations:batchGet', {
    params: { path: { customer: scope.customer, profile: scope.profile }, query: { names: batch } }, signal: scope.signal,
  }));
  try {
    return (await get(names)).conversations;
  } catch (err) {
    if (!notFound(err)) throw err;
    // One missing name fails the whole batch: ask one by one.
    return Promise.all(names.map((n) => get([n]).then((r) => r.conversations[0], (e: unknown) => (notFound(e) ? undefined : Promise.reject(e)))));
  }
}

/** `work` over `items` with at most PARALLEL at once; the results in the items' order. */
async function inOrder<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return results;
}

export interface ExportProgress {
  /** Sampled conversations read so far, and lines written. */
  read: number;
  lines: number;
  /** Whether more sample pages follow. */
  more: boolean;
}

/** The sample's JSONL lines (each ending in `\n`), calling `progress` as it goes. */
export async function sampleJsonl(scope: Scope, filter: SampleFilter, format: SampleFormat, progress: (p: ExportProgress) => void): Promise<string[]> {
  const lines: string[] = [];
  let read = 0;
  let pageToken = '';
  do {
    const page = await ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/conversations:sample', {
      params: { path: { customer: scope.customer, profile: scope.profile } },
      body: { filter, pageSize: SAMPLE_PAGE, disableMessageCounts: true, ...(pageToken ? { pageToken } : {}) }, signal: scope.signal,
    }));
    const names = page.sampledConversations.map((s) => s.conversation);
    for (let i = 0; i < names.length; i += BATCH) {
      const batch = names.slice(i, i + BATCH);
      const wire = format === 'parley' ? await conversationsOf(scope, batch) : batch.map(() => undefined);
      const texts = await inOrder(batch.map((name, j) => ({ name, conversation: wire[j] })), async ({ name, conversation }) => {
        if (format === 'parley' && !conversation) return undefined;
        const messages = await messagesOf(scope, name);
        if (!messages) return undefined;
        return format === 'openai' ? openaiLine(messages) : JSON.stringify({ conversation, messages });
      });
      for (const text of texts) if (text) lines.push(`${text}\n`);
      read += batch.length;
      progress({ read, lines: lines.length, more: true });
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  progress({ read, lines: lines.length, more: false });
  return lines;
}
