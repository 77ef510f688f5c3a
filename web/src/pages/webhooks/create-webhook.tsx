/**
 * The form that registers a webhook endpoint on the ingest surface (POST /api/v1/webhooks): its
 * URL, its format (Converra's standard events or Amigo's), the events it wants (none ticked: every
 * event of its format) and a description. The signing secret comes back once.
 */
import { useState } from 'preact/hooks';
import type { components } from '../../api/ingest';
import { ingest, ok } from '../../api/client.ts';
import { ErrorNotice } from '../../components/status.tsx';

export type CreatedWebhook = components['schemas']['CreatedWebhook'];
type Format = 'standard' | 'amigo';

/** The events of each format (src/core/webhooks/webhook-events.ts, amigo-webhook-events.ts). */
export const WEBHOOK_EVENTS: Record<Format, string[]> = {
  standard: ['conversation.created', 'conversation.updated', 'conversation.deleted', 'insights.generated', 'conversation.outbound_message'],
  amigo: ['conversation-post-processing-complete'],
};

export function CreateWebhook({ onCreated }: { onCreated: (webhook: CreatedWebhook) => void }) {
  const [format, setFormat] = useState<Format>('standard');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(null);
    try {
      const description = String(data.get('description') ?? '').trim();
      const created = await ok(ingest.POST('/api/v1/webhooks', {
        body: {
          url: String(data.get('url') ?? '').trim(),
          format,
          events: data.getAll('events').map(String),
          ...(description ? { description } : {}),
        },
      }));
      form.reset();
      setFormat('standard');
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card create-form" aria-labelledby="create-webhook-title" onSubmit={(e) => void submit(e)}>
      <h2 id="create-webhook-title">Add an endpoint</h2>
      <div class="form-grid">
        <div class="field grow">
          <label for="webhook-url">URL</label>
          <input id="webhook-url" name="url" type="url" required maxLength={2048} placeholder="https://example.com/parley-hooks" />
        </div>
        <div class="field">
          <label for="webhook-format">Format</label>
          <select id="webhook-format" value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value as Format)} aria-describedby="webhook-format-help">
            <option value="standard">Standard</option>
            <option value="amigo">Amigo</option>
          </select>
          <span id="webhook-format-help" class="help">
            {format === 'standard' ? 'Converra’s events, signed the Standard Webhooks way (webhook-signature).' : 'Amigo’s body, signed with x-amigo-request-signature.'}
          </span>
        </div>
        <div class="field grow">
          <label for="webhook-description">Description</label>
          <input id="webhook-description" name="description" maxLength={1024} />
        </div>
      </div>
      <fieldset class="events">
        <legend>Events <span class="help">(none ticked: every event of the format)</span></legend>
        {WEBHOOK_EVENTS[format].map((e) => (
          <label key={e} class="inline"><input type="checkbox" name="events" value={e} /> <code>{e}</code></label>
        ))}
      </fieldset>
      <ErrorNotice error={error}>The endpoint was not added</ErrorNotice>
      <button type="submit" disabled={busy}>{busy ? 'Adding…' : 'Add endpoint'}</button>
    </form>
  );
}
