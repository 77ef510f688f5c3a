/**
 * The transcript: who said what and when. A redacted stretch is marked as such (Parley replaces
 * it in place with `*`, one per character), a deleted message is shown as a deleted message. For
 * a call, the line being played is highlighted and kept in view, and each line's time seeks there.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../../api/conversations';
import { seconds } from '../../api/names.ts';
import { humanEnum } from '../../components/format.ts';
import { clock, Time } from '../../components/time.tsx';
import { Empty } from '../../components/status.tsx';

type Message = components['schemas']['ConversationMessage'];

/** The message playing at `t`: the one whose audio span holds it, else the last one started before it. */
export function activeIndex(messages: Message[], t: number | null): number {
  if (t === null) return -1;
  let candidate = -1;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!m.audioStartOffset) continue;
    const start = seconds(m.audioStartOffset);
    const end = m.audioEndOffset ? seconds(m.audioEndOffset) : start;
    if (start <= t && t < end) return i;
    if (start <= t) candidate = i;
  }
  return candidate;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The text in pieces, the redacted stretches (byte ranges, the runs of `*` that replaced them) marked. */
function pieces(message: Message): { text: string; redacted: boolean }[] {
  const text = message.text ?? '';
  const bytes = encoder.encode(text);
  const spans: [number, number][] = [];
  for (const r of message.redactions ?? []) {
    const start = decoder.decode(bytes.slice(0, Math.min(r.startIndex, bytes.length))).length;
    const run = /^\*+/.exec(text.slice(start));
    if (run) spans.push([start, start + run[0].length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const out: { text: string; redacted: boolean }[] = [];
  let at = 0;
  for (const [s, e] of spans) {
    if (s < at) continue;
    if (s > at) out.push({ text: text.slice(at, s), redacted: false });
    out.push({ text: text.slice(s, e), redacted: true });
    at = e;
  }
  if (at < text.length) out.push({ text: text.slice(at), redacted: false });
  return out;
}

function speakerOf(m: Message): string {
  const info = m.speakerInfo as { displayName?: unknown } | undefined;
  const role = humanEnum(m.speaker);
  return typeof info?.displayName === 'string' && info.displayName ? `${info.displayName} (${role})` : role;
}

export function Transcript({ messages, truncated, audioTime, onSeek }: {
  messages: Message[];
  truncated: boolean;
  audioTime: number | null;
  onSeek?: (t: number) => void;
}) {
  const active = activeIndex(messages, audioTime);
  const [follow, setFollow] = useState(true);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (!follow || active < 0) return;
    const item = list.current?.children[active] as HTMLElement | undefined;
    item?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [active, follow]);

  if (messages.length === 0) return <Empty>No messages yet.</Empty>;
  return (
    <>
      {onSeek ? (
        <label class="inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> Follow playback
        </label>
      ) : null}
      <ol class="transcript" ref={list}>
        {messages.map((m, i) => {
          const deleted = m.state === 'DELETED';
          const redacted = (m.redactions?.length ?? 0) > 0;
          return (
            <li key={m.name} class={`message speaker-${(m.speaker ?? 'unknown').toLowerCase()}${i === active ? ' playing' : ''}`}
              aria-current={i === active ? 'true' : undefined} data-message={m.name}>
              <div class="message-meta">
                <span class="speaker">{speakerOf(m)}</span>
                <Time value={m.createTime} timeOnly />
                {onSeek && m.audioStartOffset ? (
                  <button type="button" class="link seek" onClick={() => onSeek(seconds(m.audioStartOffset))}
                    aria-label={`Play from ${clock(seconds(m.audioStartOffset))}`}>
                    ▶ {clock(seconds(m.audioStartOffset))}
                  </button>
                ) : null}
                {redacted ? <span class="badge redacted-badge">redacted</span> : null}
                {deleted ? <span class="badge deleted-badge">deleted</span> : null}
              </div>
              {deleted ? (
                <p class="message-text deleted"><em>This message was deleted{m.updateTime ? ' ' : ''}{m.updateTime ? <Time value={m.updateTime} /> : null}.</em></p>
              ) : (
                <p class="message-text">
                  {pieces(m).map((p, j) => (p.redacted
                    ? <mark key={j} class="redacted" title="Redacted"><span class="visually-hidden">(redacted)</span><span aria-hidden="true">{p.text}</span></mark>
                    : <span key={j}>{p.text}</span>))}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {truncated ? <p class="notice">Only the first {messages.length} messages are shown.</p> : null}
    </>
  );
}
