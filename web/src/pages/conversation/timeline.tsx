/** The conversation's event log, oldest first: what happened, when, by whom, with the event's payload on demand. */
import type { components } from '../../api/conversations';
import { humanEnum } from '../../components/format.ts';
import { Empty } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';

type Event = components['schemas']['ConversationEvent'];

/** A one-line summary of the payload fields a reader looks for first. */
function summary(event: Event): string {
  const p = event.payload ?? {};
  const parts: string[] = [];
  for (const key of ['from', 'to', 'by', 'state', 'tag', 'voteType', 'change', 'reason', 'mode']) {
    const v = p[key];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${key} ${v}`);
  }
  return parts.join(' · ');
}

export function Timeline({ events, truncated }: { events: Event[]; truncated: boolean }) {
  if (events.length === 0) return <Empty>No events yet.</Empty>;
  return (
    <>
      <ol class="timeline">
        {events.map((e) => {
          const payload = e.payload && Object.keys(e.payload).length ? JSON.stringify(e.payload, null, 2) : '';
          return (
            <li key={e.name} data-type={e.type}>
              <div class="timeline-head">
                <strong>{humanEnum(e.type)}</strong>
                <Time value={e.createTime} timeOnly />
              </div>
              <div class="timeline-detail">
                {e.actor ? <span class="muted">by {e.actor}</span> : null}
                {summary(e) ? <span> · {summary(e)}</span> : null}
              </div>
              {payload ? (
                <details>
                  <summary>Payload</summary>
                  <pre>{payload}</pre>
                </details>
              ) : null}
            </li>
          );
        })}
      </ol>
      {truncated ? <p class="notice">Only the first {events.length} events are shown.</p> : null}
    </>
  );
}
