/**
 * The conversation's insights (the ingest surface's GET /api/v1/conversations/conv_<id>/insights:
 * sentiment, topics, summary, task completion, issues) and the feedback left on it (its FEEDBACK
 * events: votes on messages, comments on the conversation or a turn).
 */
import type { components as conversationTypes } from '../../api/conversations';
import { ingest } from '../../api/client.ts';
import { ErrorNotice, Loading } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';
import { useApi } from '../../components/use-api.ts';

type Conversation = conversationTypes['schemas']['Conversation'];
type Event = conversationTypes['schemas']['ConversationEvent'];

export function Insights({ conversation, events, version }: { conversation: Conversation; events: Event[] | undefined; version: number }) {
  const uid = conversation.uid;
  const insights = useApi(async (signal) => {
    if (!uid) return null;
    const { data, response } = await ingest.GET('/api/v1/conversations/{id}/insights', { params: { path: { id: `conv_${uid}` } }, signal });
    // Not analysed yet (or no analyzer configured): said plainly, not an error.
    if (response.status === 404 || response.status === 409) return null;
    if (!response.ok || !data) throw new Error(`the insights answered ${response.status}`);
    return data;
  }, [uid, version]);
  const feedback = (events ?? []).filter((e) => e.type === 'FEEDBACK');
  const i = insights.data;

  return (
    <section class="card" aria-labelledby="insights-title">
      <h2 id="insights-title">Insights</h2>
      <ErrorNotice error={insights.error}>The insights could not be read</ErrorNotice>
      {insights.loading && insights.data === undefined ? <Loading what="Loading the insights" /> : null}
      {insights.data === null ? <p class="empty">Not analysed yet: insights appear when the conversation has been analysed.</p> : null}
      {i ? (
        <dl class="insights">
          <div><dt>Sentiment</dt><dd><span class={`sentiment sentiment-${i.sentiment}`}>{i.sentiment}</span> ({i.sentimentScore.toFixed(2)})</dd></div>
          <div><dt>Task completed</dt><dd>{i.taskCompleted ? 'Yes' : 'No'}</dd></div>
          <div><dt>Topics</dt><dd>{i.topics.length ? i.topics.map((t) => <span key={t} class="tag">{t}</span>) : <span class="muted">none</span>}</dd></div>
          <div class="wide"><dt>Summary</dt><dd>{i.summary || <span class="muted">none</span>}</dd></div>
          <div class="wide"><dt>Issues</dt><dd>
            {i.issues.length ? <ul>{i.issues.map((issue, n) => <li key={n}><strong>{issue.severity}</strong>: {issue.description}</li>)}</ul> : <span class="muted">none</span>}
          </dd></div>
          <div class="wide"><dt>Analysed</dt><dd>by {i.analyzer} {i.analyzerVersion}, <Time value={i.createdAt} /></dd></div>
        </dl>
      ) : null}
      <h3>Feedback</h3>
      {feedback.length === 0 ? <p class="empty">No feedback.</p> : (
        <ul class="feedback">
          {feedback.map((e) => {
            const p = e.payload as { voteType?: string; change?: string; interactionId?: string };
            return (
              <li key={e.name}>
                {p.voteType ? <span class={`vote vote-${p.voteType}`}><span aria-hidden="true">{p.voteType === 'up' ? '▲' : '▼'}</span> {p.voteType === 'up' ? 'Up vote' : 'Down vote'}</span> : <span>comment</span>}
                {' '}{p.change ?? ''}{e.associatedMessage ? ' on a message' : p.interactionId ? ' on a turn' : ' on the conversation'}
                {' · '}<Time value={e.createTime} />{e.actor ? ` · ${e.actor}` : ''}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
