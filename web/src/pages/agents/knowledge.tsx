/**
 * An agent's knowledge documents (the newest version's, GET …/knowledge): read one, add one (typed
 * or read from a .md/.txt file), delete one. Adding or deleting makes a new agent version; the
 * released version keeps what it had until the agent is released again.
 */
import { useState } from 'preact/hooks';
import type { components } from '../../api/conversations';
import { conversations, ok } from '../../api/client.ts';
import { lastSegment } from '../../api/names.ts';
import { Empty, ErrorNotice, Loading } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';
import { useApi } from '../../components/use-api.ts';
import { ConfirmButton } from '../keys/confirm-button.tsx';

type Document = components['schemas']['KnowledgeDocument'];
type MediaType = Document['mediaType'];
type AgentPath = { customer: string; profile: string; agent: string };

export function Knowledge({ path, version, onChange }: { path: AgentPath; version: number; onChange: () => void }) {
  const docs = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/agents/{agent}/knowledge', {
    params: { path, query: { versionSet: 'edge' } }, signal,
  })), [path.customer, path.profile, path.agent, version]);
  const [done, setDone] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const remove = async (d: Document) => {
    setDone(null);
    setActionError(null);
    try {
      await ok(conversations.DELETE('/v1/customers/{customer}/profiles/{profile}/agents/{agent}/knowledge/{document}', {
        params: { path: { ...path, document: lastSegment(d.name) } },
      }));
      setDone(`“${d.displayName}” was removed (a new version of the agent).`);
      onChange();
    } catch (err) {
      setActionError(err);
    }
  };
  const rows = docs.data?.knowledgeDocuments ?? [];
  return (
    <section class="card knowledge" aria-labelledby="knowledge-title">
      <h2 id="knowledge-title">Knowledge</h2>
      <p class="help">The documents of the newest version (version {version}); the agent answers from them once that version is released.</p>
      {done ? <p class="notice success" role="status">{done}</p> : null}
      <ErrorNotice error={actionError}>Not done</ErrorNotice>
      <ErrorNotice error={docs.error}>The documents could not be listed</ErrorNotice>
      {docs.loading && !docs.data ? <Loading what="Loading the documents" /> : null}
      {docs.data && rows.length === 0 ? <Empty>No document yet.</Empty> : null}
      {rows.length > 0 ? (
        <table class="list" aria-busy={docs.loading}>
          <caption class="visually-hidden">Knowledge documents of version {version}</caption>
          <thead><tr><th scope="col">Document</th><th scope="col">Type</th><th scope="col">Passages</th><th scope="col">Added</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.name}>
                <th scope="row"><DocumentContent path={path} document={d} /></th>
                <td>{d.mediaType === 'text/markdown' ? 'Markdown' : 'Text'}</td>
                <td>{d.passageCount}</td>
                <td><Time value={d.createTime} /></td>
                <td>
                  <ConfirmButton label="Delete" ariaLabel={`Delete “${d.displayName}”`} title={`Delete “${d.displayName}”?`} confirmLabel="Delete document" onConfirm={() => remove(d)}>
                    <p>The next version of the agent no longer knows it; older versions keep it.</p>
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <AddDocument path={path} onAdded={(d) => { setDone(`“${d.displayName}” was added: ${d.passageCount} passage${d.passageCount === 1 ? '' : 's'}, version ${d.agentVersion}.`); setActionError(null); onChange(); }} />
    </section>
  );
}

/** A document's name that opens its content (GET …/knowledge/{document}) in place. */
function DocumentContent({ path, document }: { path: AgentPath; document: Document }) {
  const [open, setOpen] = useState(false);
  const content = useApi(async (signal) => {
    if (!open) return undefined;
    return ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/agents/{agent}/knowledge/{document}', {
      params: { path: { ...path, document: lastSegment(document.name) } }, signal,
    }));
  }, [open, document.name]);
  return (
    <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{document.displayName}</summary>
      <ErrorNotice error={content.error}>The document could not be read</ErrorNotice>
      {open && content.loading && !content.data ? <Loading what="Reading the document" /> : null}
      {content.data ? <pre class="document-content">{content.data.content}</pre> : null}
    </details>
  );
}

function AddDocument({ path, onAdded }: { path: AgentPath; onAdded: (d: Document & { agentVersion: number }) => void }) {
  const [name, setName] = useState('');
  const [mediaType, setMediaType] = useState<MediaType>('text/markdown');
  const [content, setContent] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const readFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setContent(await file.text());
    if (!name) setName(file.name);
    setMediaType(/\.(md|markdown)$/i.test(file.name) ? 'text/markdown' : 'text/plain');
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/agents/{agent}/knowledge', {
        params: { path }, body: { displayName: name.trim(), mediaType, content },
      }));
      setName('');
      setContent('');
      (event.currentTarget as HTMLFormElement | null)?.reset();
      onAdded(added);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="add-document" aria-labelledby="add-document-title" onSubmit={(e) => void submit(e)}>
      <h3 id="add-document-title">Add a document</h3>
      <div class="form-grid">
        <div class="field">
          <label for="doc-name">Name</label>
          <input id="doc-name" required maxLength={256} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="doc-type">Type</label>
          <select id="doc-type" value={mediaType} onChange={(e) => setMediaType((e.target as HTMLSelectElement).value as MediaType)}>
            <option value="text/markdown">Markdown</option>
            <option value="text/plain">Plain text</option>
          </select>
        </div>
        <div class="field">
          <label for="doc-file">Or read a file</label>
          <input id="doc-file" type="file" accept=".md,.markdown,.txt,text/markdown,text/plain" onChange={(e) => void readFile(e.target as HTMLInputElement)} />
        </div>
      </div>
      <div class="field">
        <label for="doc-content">Content</label>
        <textarea id="doc-content" rows={8} required maxLength={1_000_000} value={content} onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)} />
      </div>
      <ErrorNotice error={error}>The document was not added</ErrorNotice>
      <button type="submit" disabled={busy || !name.trim() || !content.trim()}>{busy ? 'Adding…' : 'Add document'}</button>
    </form>
  );
}
