/** Times as the reader's locale writes them, with the exact RFC 3339 value in `datetime` and the tooltip. */

const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const short = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function Time({ value, timeOnly = false }: { value: string | undefined | null; timeOnly?: boolean }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  return <time dateTime={value} title={value}>{(timeOnly ? short : full).format(date)}</time>;
}

/** `83.4` -> `1:23` (and `1:02:03` past an hour). */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** A `<input type="datetime-local">` value (local time) as RFC 3339 UTC, or undefined when empty. */
export function fromLocalInput(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
