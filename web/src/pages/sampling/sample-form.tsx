/** The sample's filters (the query string's `from`, `to`, `ratio`, `max`, `maxMessages`), applied together. */
import { lastDaysInput, SAMPLE_KEYS } from './request.ts';

export function SampleForm({ query, onApply }: { query: URLSearchParams; onApply: (values: Record<string, string | undefined>) => void }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    onApply(Object.fromEntries(SAMPLE_KEYS.map((k) => [k, String(data.get(k) ?? '').trim() || undefined])));
  };
  const keep = Object.fromEntries(SAMPLE_KEYS.map((k) => [k, query.get(k) ?? undefined]));
  return (
    <form key={query.toString()} class="filters" aria-label="Sample filters" onSubmit={submit}>
      <div class="field">
        <label for="s-from">Started from</label>
        <input id="s-from" name="from" type="date" defaultValue={query.get('from') ?? ''} />
      </div>
      <div class="field">
        <label for="s-to">Started until</label>
        <input id="s-to" name="to" type="date" defaultValue={query.get('to') ?? ''} aria-describedby="s-to-help" />
        <span id="s-to-help" class="help">That day included; empty: no limit</span>
      </div>
      <div class="field">
        <label for="s-ratio">Ratio</label>
        <input id="s-ratio" name="ratio" type="number" min="0.0001" max="1" step="any" placeholder="1" defaultValue={query.get('ratio') ?? ''} aria-describedby="s-ratio-help" />
        <span id="s-ratio-help" class="help">Share of the conversations, 0–1 (a larger ratio keeps every conversation of a smaller one)</span>
      </div>
      <div class="field">
        <label for="s-max">At most conversations</label>
        <input id="s-max" name="max" type="number" min="1" step="1" defaultValue={query.get('max') ?? ''} />
      </div>
      <div class="field">
        <label for="s-max-messages">At most messages</label>
        <input id="s-max-messages" name="maxMessages" type="number" min="1" step="1" defaultValue={query.get('maxMessages') ?? ''} aria-describedby="s-max-messages-help" />
        <span id="s-max-messages-help" class="help">In all the sampled conversations together</span>
      </div>
      <div class="field buttons sample-buttons">
        <button type="submit">Preview</button>
        <button type="button" class="secondary" onClick={() => onApply({ ...keep, ...lastDaysInput(30) })}>Last 30 days</button>
        <button type="button" class="secondary" onClick={() => onApply({})}>Reset</button>
      </div>
    </form>
  );
}
