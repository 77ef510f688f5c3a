import { conversationToWire, messageToWire } from '../api/conversations/map.ts';
import type { Core } from '../core/index.ts';
import { invalidArgument, ParleyError } from '../kernel/errors.ts';
import type { SampleRequest } from '../core/sampling/sampling.ts';
import type { Caller, Conversation, Message } from '../kernel/types.ts';
import { chatRoleOf } from '../core/messages/chat-roles.ts';
import type { CommandIo, TextSink } from './command-io.ts';

export type SampleFormat = 'openai' | 'parley';

export interface SampleCommand {
  /** customers/{c}/profiles/{p} */
  profile: string;
  request: Omit<SampleRequest, 'pageToken' | 'pageSize'>;
  /** The lines go here; the caller opened it and closes it. */
  out: TextSink;
  format: SampleFormat;
  /** Progress goes here: a bar on a TTY, one line a page otherwise. */
  progress: CommandIo['progress'];
}

const MESSAGE_PAGE = 1000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

async function* messagesOf(core: Core, conversation: Conversation): AsyncGenerator<Message> {
  const ref = { customerId: conversation.customerId, profileId: conversation.profileId, nameId: conversation.nameId };
  let pageToken: string | undefined;
  do {
    const page = await core.messages.list(ref, { pageSize: MESSAGE_PAGE, pageToken, descending: false });
    yield* page.messages;
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
}

/**
 * One line of the openai format (OpenAI's chat fine-tuning JSONL): every message in order, each
 * speaker under its chat role (core/messages/chat-roles.ts). Left out: deleted messages, PARTIAL
 * ones (an interim transcript that a FINAL message replaces: keeping it would say things twice)
 * and messages with no text. Undefined when nothing is left: OpenAI refuses an example without messages.
 */
function openaiLine(messages: readonly Message[]): string | undefined {
  const chat = messages
    .filter((m) => m.state !== 'DELETED' && m.state !== 'PARTIAL' && m.text.trim() !== '')
    .map((m) => ({ role: chatRoleOf(m.speaker, m.metadata?.role), content: m.text }));
  return chat.length > 0 ? JSON.stringify({ messages: chat }) : undefined;
}

async function line(core: Core, conversation: Conversation, format: SampleFormat): Promise<string | undefined> {
  const messages: Message[] = [];
  for await (const m of messagesOf(core, conversation)) messages.push(m);
  if (format === 'openai') return openaiLine(messages);
  return JSON.stringify({ conversation: conversationToWire(conversation), messages: messages.map((m) => messageToWire(conversation, m)) });
}

function bar(fraction: number, sampled: number): string {
  const width = 30;
  const done = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `\r[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${(fraction * 100).toFixed(0).padStart(3)}%  sampled ${sampled} conversations`;
}

/**
 * `parley sample`: SampleConversations page by page (the same core call as the HTTP route),
 * writing one JSONL line per sampled conversation as it goes (in the openai format, none for a
 * conversation with no message to carry); at most one page of names and one conversation's
 * messages are held at a time. Resolves to the number of lines written.
 */
export async function sampleToFile(core: Core, command: SampleCommand): Promise<number> {
  const match = /^customers\/([^/]+)\/profiles\/([^/]+)$/.exec(command.profile);
  if (!match) throw invalidArgument('--profile', 'must be written customers/ID/profiles/PID');
  const [, customerId, profileId] = match;
  for (const [flag, value] of [['--start', command.request.startTime], ['--end', command.request.endTime]] as const) {
    // The database would read words like "yesterday" as times; only RFC 3339 is meant.
    if (value !== undefined && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) throw invalidArgument(flag, 'must be an RFC 3339 time');
  }
  const caller: Caller = { customerId, keyId: 'cli', profileId: null, agentId: null, scopes: ['*'] };
  const tty = command.progress.isTTY;
  let sampled = 0;
  let pageToken: string | undefined;
  let first: number | undefined;
  const end = command.request.endTime ? Date.parse(command.request.endTime) : Date.now();
  do {
    const page = await core.sampling.sample(caller, customerId, profileId, { ...command.request, pageToken });
    first ??= Date.parse(page.pageStartTime);
    for (const s of page.conversations) {
      const conversation = await core.conversations.get({ customerId, profileId, nameId: s.nameId }).catch((err: unknown) => {
        // Deleted between the page and this read: there is nothing left to export.
        if (err instanceof ParleyError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      });
      const text = conversation && (await line(core, conversation, command.format));
      if (!text) continue;
      await command.out.write(`${text}\n`);
      sampled++;
    }
    pageToken = page.nextPageToken || undefined;
    if (tty) {
      const fraction = pageToken ? (Date.parse(page.pageEndTime) - first) / Math.max(1, end - first) : 1;
      command.progress.write(bar(fraction, sampled));
    } else {
      command.progress.write(`sampled ${sampled} conversations\n`);
    }
  } while (pageToken);
  if (tty) command.progress.write('\n');
  return sampled;
}
