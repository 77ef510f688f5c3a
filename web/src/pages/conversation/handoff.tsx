/**
 * Who answers the conversation, the AI agent or a human (GET …/handoff, POST …:updateMode), the
 * questions waiting for a human, and a field to answer one in manual mode (POST
 * …:sendHumanReply: the support desk's rule, so a call or an AI-mode conversation is refused).
 */
import { useState } from 'preact/hooks';
import { conversations, ok } from '../../api/client.ts';
import { conversationPath, type ConversationRef } from '../../api/names.ts';
import { ErrorNotice, Loading } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';
import { useApi } from '../../components/use-api.ts';

export function Handoff({ refs, isCall, version }: { refs: ConversationRef; isCall: boolean; version: number }) {
  const path = conversationPath(refs);
  const [local, setLocal] = useState(0);
  const handoff = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/handoff', { params: { path }, signal })),
    [refs.profile, refs.conversation, version, local]);
  const [text, setText] = useState('');
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);

  const run = async (action: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setActionError(null);
    setSent(null);
    try {
      await action();
      if (done) setSent(done);
      setLocal((n) => n + 1);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  const h = handoff.data;
  const manual = h?.mode === 'MANUAL';
  const pending = h?.pendingQuestions ?? [];
  const setMode = (mode: 'AI' | 'MANUAL') => run(() => ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}:updateMode', {
    params: { path }, body: { mode },
  })));
  const answer = (event: Event) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    const target = question || pending[0]?.message;
    void run(async () => {
      await ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}:sendHumanReply', {
        params: { path }, body: { text: body, ...(target ? { question: target } : {}) },
      }));
      setText('');
      setQuestion('');
    }, 'Your answer was sent.');
  };

  return (
    <section class="card" aria-labelledby="handoff-title">
      <h2 id="handoff-title">Handoff</h2>
      <ErrorNotice error={handoff.error}>The handoff state could not be read</ErrorNotice>
      {!h && handoff.loading ? <Loading what="Loading the handoff state" /> : null}
      {h ? (
        <>
          <p class="handoff-mode">
            <span class={`mode mode-${h.mode.toLowerCase()}`} data-mode={h.mode}>{manual ? 'Manual: a human answers' : 'AI: the agent answers'}</span>
            <button type="button" class="secondary" disabled={busy} onClick={() => setMode(manual ? 'AI' : 'MANUAL')}>
              {manual ? 'Hand back to the AI' : 'Take over (manual)'}
            </button>
          </p>
          <h3>Waiting for an answer</h3>
          {pending.length === 0 ? <p class="empty">No question is waiting.</p> : (
            <ul class="pending">
              {pending.map((q) => <li key={q.message}><q>{q.text}</q> <Time value={q.createTime} /></li>)}
            </ul>
          )}
          {manual && !isCall ? (
            <form class="answer" onSubmit={answer}>
              {pending.length > 1 ? (
                <div class="field">
                  <label for="answer-question">In reply to</label>
                  <select id="answer-question" value={question || pending[0].message} onChange={(e) => setQuestion((e.target as HTMLSelectElement).value)}>
                    {pending.map((q) => <option key={q.message} value={q.message}>{q.text.slice(0, 80)}</option>)}
                  </select>
                </div>
              ) : null}
              <div class="field">
                <label for="answer-text">Your answer</label>
                <textarea id="answer-text" rows={3} value={text} required onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
              </div>
              <button type="submit" disabled={busy || !text.trim()}>Send answer</button>
            </form>
          ) : null}
          {manual && isCall ? <p class="help">A call cannot be answered in writing.</p> : null}
          {sent ? <p class="notice success" role="status">{sent}</p> : null}
          <ErrorNotice error={actionError}>Not done</ErrorNotice>
        </>
      ) : null}
    </section>
  );
}
