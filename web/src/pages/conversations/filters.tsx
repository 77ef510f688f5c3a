/** The conversation list's filter form, read from and written to the query string. */
import type { components } from '../../api/conversations';
import { fromLocalInput } from '../../components/time.tsx';

type Filter = components['schemas']['ConversationFilter'];

/** The query-string keys the filters use (besides `profile`). */
export const FILTER_KEYS = ['q', 'agent', 'channel', 'state', 'from', 'to', 'tags'] as const;

const CHANNELS = ['CHAT', 'VOICE', 'EMAIL', 'SMS'] as const;
const STATES = ['ACTIVE', 'ON_HOLD', 'CLOSED'] as const;
const list = (value: string | null) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

/** The ListConversations filter the query string describes. */
export function filterFromQuery(query: URLSearchParams): Filter {
  const filter: Filter = {};
  const search = query.get('q')?.trim();
  if (search) filter.search = search;
  if (query.get('agent')) filter.agents = list(query.get('agent'));
  if (query.get('channel')) filter.channels = [query.get('channel') as (typeof CHANNELS)[number]];
  if (query.get('state')) filter.states = [query.get('state') as (typeof STATES)[number]];
  const from = fromLocalInput(query.get('from'));
  const to = fromLocalInput(query.get('to'));
  if (from) filter.rangeStartTime = from;
  if (to) filter.rangeEndTime = to;
  if (query.get('tags')) filter.tags = list(query.get('tags'));
  return filter;
}

export function ConversationFilters({ query, onApply }: { query: URLSearchParams; onApply: (values: Record<string, string | undefined>) => void }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    onApply(Object.fromEntries(FILTER_KEYS.map((k) => [k, String(data.get(k) ?? '').trim() || undefined])));
  };
  const reset = () => onApply({});
  // Keyed by the query: Back/Forward and Reset show the filters of the URL.
  return (
    <form key={query.toString()} class="filters" role="search" aria-label="Filter conversations" onSubmit={submit}>
      <div class="field grow">
        <label for="f-q">Search</label>
        <input id="f-q" name="q" type="search" defaultValue={query.get('q') ?? ''} placeholder="Words in titles, names, summaries, messages" />
      </div>
      <div class="field">
        <label for="f-agent">Agent</label>
        <input id="f-agent" name="agent" defaultValue={query.get('agent') ?? ''} aria-describedby="f-agent-help" />
        <span id="f-agent-help" class="help">Agent names, comma-separated</span>
      </div>
      <div class="field">
        <label for="f-channel">Channel</label>
        <select id="f-channel" name="channel" defaultValue={query.get('channel') ?? ''}>
          <option value="">Any</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{c.charAt(0) + c.slice(1).toLowerCase()}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="f-state">State</label>
        <select id="f-state" name="state" defaultValue={query.get('state') ?? ''}>
          <option value="">Any</option>
          {STATES.map((s) => <option key={s} value={s}>{s === 'ON_HOLD' ? 'On hold' : s.charAt(0) + s.slice(1).toLowerCase()}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="f-from">From</label>
        <input id="f-from" name="from" type="datetime-local" defaultValue={query.get('from') ?? ''} />
      </div>
      <div class="field">
        <label for="f-to">To</label>
        <input id="f-to" name="to" type="datetime-local" defaultValue={query.get('to') ?? ''} />
      </div>
      <div class="field">
        <label for="f-tags">Tags</label>
        <input id="f-tags" name="tags" defaultValue={query.get('tags') ?? ''} aria-describedby="f-tags-help" />
        <span id="f-tags-help" class="help">Tag ids, comma-separated</span>
      </div>
      <div class="field buttons">
        <button type="submit">Apply</button>
        <button type="button" class="secondary" onClick={reset}>Reset</button>
      </div>
    </form>
  );
}
