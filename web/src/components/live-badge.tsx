import type { StreamStatus } from '../api/event-stream.ts';

const LABELS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Not live',
};

/** Whether a page's live event stream is connected: the state in words, not only a colour. */
export function LiveBadge({ status }: { status: StreamStatus }) {
  return <span class={`live-badge live-${status}`} role="status" aria-live="polite" data-live={status}>{LABELS[status]}</span>;
}
