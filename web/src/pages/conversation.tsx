/**
 * One conversation: its transcript, its event timeline, for calls the recording with its waveform
 * (the transcript follows playback), its insights and feedback, and the handoff state with a field
 * for a human's answer in manual mode. The conversation's event stream keeps every part current.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/conversations';
import { conversations, ok } from '../api/client.ts';
import { followConversation, type StreamedEvent, type StreamStatus } from '../api/event-stream.ts';
import { conversationPath, lastSegment, type ConversationRef } from '../api/names.ts';
import { conversationTitle, humanEnum } from '../components/format.ts';
import { Link } from '../components/link.tsx';
import { LiveBadge } from '../components/live-badge.tsx';
import { Page } from '../components/page.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useApi } from '../components/use-api.ts';
import type { PageProps } from '../routes.tsx';
import { useSession } from '../session.ts';
import { AudioPlayer } from './conversation/audio-player.tsx';
import { Handoff } from './conversation/handoff.tsx';
import { Insights } from './conversation/insights.tsx';
import { Timeline } from './conversation/timeline.tsx';
import { Transcript } from './conversation/transcript.tsx';

type Message = components['schemas']['ConversationMessage'];
type Event = components['schemas']['ConversationEvent'];

/** Past this many messages or events the page shows the first ones and says so. */
const MAX_ITEMS = 5000;

/** Which parts of the page an event changes. */
type Part = 'conversation' | 'messages' | 'events' | 'insights' | 'handoff';
function partsOf(event: StreamedEvent): Part[] {
  const parts: Part[] = ['events'];
  if (event.type.startsWith('MESSAGE_')) parts.push('messages', 'handoff');
  if (event.type.startsWith('CONVERSATION_') || event.type.startsWith('TAG_')) parts.push('conversation', 'handoff');
  if (event.type === 'ANALYSIS_COMPLETE' || event.type === 'POST_PROCESSING_COMPLETE') parts.push('insights', 'conversation');
  return parts;
}

async function all<T>(page: (token: string | undefined) => Promise<{ items: T[]; next: string }>): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const { items: batch, next } = await page(token);
    items.push(...batch);
    token = next || undefined;
  } while (token && items.length < MAX_ITEMS);
  return { items, truncated: Boolean(token) };
}

export function ConversationPage({ params }: PageProps) {
  const { identity } = useSession();
  const ref: ConversationRef = { customer: identity!.customer, profile: params.profile, conversation: params.conversation };
  const path = conversationPath(ref);
  const [versions, setVersions] = useState<Record<Part, number>>({ conversation: 0, messages: 0, events: 0, insights: 0, handoff: 0 });
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [audioTime, setAudioTime] = useState<number | null>(null);
  const audio = useRef<HTMLAudioElement>(null);

  const conversation = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}', { params: { path }, signal })),
    [params.profile, params.conversation, versions.conversation]);
  const tags = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/tags', { params: { path }, signal })),
    [params.profile, params.conversation, versions.conversation]);
  const messages = useApi((signal) => all<Message>(async (pageToken) => {
    const body = await ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/conversationMessages', {
      params: { path, query: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) } }, signal,
    }));
    return { items: body.conversationMessages ?? [], next: body.nextPageToken ?? '' };
  }), [params.profile, params.conversation, versions.messages]);
  const events = useApi((signal) => all<Event>(async (pageToken) => {
    const body = await ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/events', {
      params: { path, query: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) } }, signal,
    }));
    return { items: body.conversationEvents ?? [], next: body.nextPageToken ?? '' };
  }), [params.profile, params.conversation, versions.events]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let due = new Set<Part>();
    const stop = followConversation(ref, {
      onStatus: setStatus,
      onEvent(event) {
        for (const part of partsOf(event)) due.add(part);
        // A burst of events (a transcript written at once) reloads each part once, at most every 200 ms.
        timer ??= setTimeout(() => {
          timer = undefined;
          const parts = due;
          due = new Set();
          setVersions((v) => {
            const next = { ...v };
            for (const part of parts) next[part]++;
            return next;
          });
        }, 200);
      },
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [params.profile, params.conversation]);

  const c = conversation.data?.conversation;
  const title = c ? conversationTitle(c) : `Conversation ${params.conversation}`;
  const isCall = c?.channel === 'VOICE';

  return (
    <Page title={title} actions={<LiveBadge status={status} />}>
      <p class="breadcrumbs"><Link href={`/conversations?profile=${encodeURIComponent(params.profile)}`}>← Conversations of {params.profile}</Link></p>
      <ErrorNotice error={conversation.error}>The conversation could not be read</ErrorNotice>
      {!c && conversation.loading ? <Loading what="Loading the conversation" /> : null}
      {c ? (
        <>
          <dl class="facts">
            <div><dt>State</dt><dd><span class={`state state-${(c.state ?? '').toLowerCase()}`}>{humanEnum(c.state)}</span></dd></div>
            <div><dt>Channel</dt><dd>{humanEnum(c.channel)}</dd></div>
            <div><dt>Source</dt><dd>{humanEnum(c.source)}</dd></div>
            <div><dt>Started</dt><dd><Time value={c.startTime} /></dd></div>
            <div><dt>Ended</dt><dd><Time value={c.endTime} /></dd></div>
            {c.agent ? <div><dt>Agent</dt><dd>{lastSegment(c.agent)}</dd></div> : null}
            {c.visitor?.externalUserId ? <div><dt>Visitor</dt><dd>{c.visitor.displayName || c.visitor.externalUserId}</dd></div> : null}
            <div><dt>Tags</dt><dd>{tags.data?.tags?.length ? tags.data.tags.map((t) => <span key={t.name} class="tag">{t.displayName || lastSegment(t.name)}</span>) : <span class="muted">none</span>}</dd></div>
          </dl>
          <div class="conversation-grid">
            <div class="conversation-main">
              {isCall ? <AudioPlayer conversation={c} refs={ref} audioRef={audio} onTime={setAudioTime} /> : null}
              <section aria-labelledby="transcript-title" class="card">
                <h2 id="transcript-title">Transcript</h2>
                <ErrorNotice error={messages.error}>The messages could not be read</ErrorNotice>
                {messages.data ? (
                  <Transcript
                    messages={messages.data.items} truncated={messages.data.truncated} audioTime={isCall ? audioTime : null}
                    onSeek={isCall ? (t) => { if (audio.current) { audio.current.currentTime = t; } } : undefined}
                  />
                ) : <Loading what="Loading the messages" />}
              </section>
            </div>
            <aside class="conversation-side" aria-label="About this conversation">
              <Handoff refs={ref} isCall={isCall} version={versions.handoff} />
              <Insights conversation={c} events={events.data?.items} version={versions.insights} />
              <section aria-labelledby="timeline-title" class="card">
                <h2 id="timeline-title">Event timeline</h2>
                <ErrorNotice error={events.error}>The events could not be read</ErrorNotice>
                {events.data ? <Timeline events={events.data.items} truncated={events.data.truncated} /> : <Loading what="Loading the events" />}
              </section>
            </aside>
          </div>
        </>
      ) : null}
    </Page>
  );
}
