/**
 * One endpoint's delivery log (GET /api/v1/webhooks/{id}/deliveries, newest first, 20 a page):
 * each event sent to it, its state and every attempt with the receiver's answer.
 */
import { useState } from 'preact/hooks';
import { ingest, ok } from '../../api/client.ts';
import { humanEnum } from '../../components/format.ts';
import { Empty, ErrorNotice, Loading } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';
import { useApi } from '../../components/use-api.ts';

const PAGE = 20;

export function Deliveries({ id, url }: { id: string; url: string }) {
  const [offset, setOffset] = useState(0);
  const log = useApi((signal) => ok(ingest.GET('/api/v1/webhooks/{id}/deliveries', {
    params: { path: { id }, query: { limit: PAGE, offset } }, signal,
  })), [id, offset]);
  const rows = log.data?.data ?? [];
  const total = log.data?.pagination.total ?? 0;
  return (
    <section class="card deliveries" aria-labelledby="deliveries-title">
      <div class="section-head">
        <h2 id="deliveries-title">Deliveries to <code>{url}</code></h2>
        <button type="button" class="secondary" onClick={log.reload} disabled={log.loading}>Refresh</button>
      </div>
      <ErrorNotice error={log.error}>The deliveries could not be listed</ErrorNotice>
      {log.loading && !log.data ? <Loading what="Loading the deliveries" /> : null}
      {log.data && rows.length === 0 ? <Empty>Nothing was sent to this endpoint yet.</Empty> : null}
      {rows.length > 0 ? (
        <>
          <p class="count">{offset + 1}–{offset + rows.length} of {total} deliveries, newest first</p>
          <table class="list" aria-busy={log.loading}>
            <caption class="visually-hidden">Deliveries to {url}</caption>
            <thead>
              <tr><th scope="col">Event</th><th scope="col">Conversation</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Created</th><th scope="col">Delivered</th></tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <th scope="row"><code>{d.eventType}</code><div class="help"><code>{d.eventId}</code></div></th>
                  <td><code>{d.conversationId}</code></td>
                  <td><span class={`delivery delivery-${d.status}`}>{humanEnum(d.status.toUpperCase())}</span></td>
                  <td>
                    {d.attempts.length === 0 ? <span class="muted">none yet</span> : (
                      <ol class="attempts">
                        {d.attempts.map((a) => (
                          <li key={a.attempt}>
                            <Time value={a.time} />: {a.statusCode === null ? 'no answer' : `HTTP ${a.statusCode}`}
                            {a.error ? <span class="field-error"> ({a.error})</span> : null} <span class="muted">{Math.round(a.durationMs)} ms</span>
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                  <td><Time value={d.createdAt} /></td>
                  <td><Time value={d.deliveredAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <div class="pager">
        {offset > 0 ? <button type="button" class="secondary" onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button> : null}
        {offset + rows.length < total ? <button type="button" class="secondary" onClick={() => setOffset(offset + PAGE)}>Older</button> : null}
      </div>
    </section>
  );
}
