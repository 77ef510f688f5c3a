/**
 * The sample as a JSONL file (sampling/export.ts), assembled in the browser and offered as a Blob
 * link: the same lines `parley sample --format openai|parley` writes. A large sample is better
 * made with the CLI, which streams it to disk.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../../components/status.tsx';
import { sampleJsonl, type ExportProgress, type SampleFormat } from './export.ts';
import type { SampleFilter } from './request.ts';

interface Ready {
  url: string;
  file: string;
  lines: number;
  bytes: number;
}

export function SampleDownload({ customer, profile, filter, filterKey }: { customer: string; profile: string; filter: SampleFilter; filterKey: string }) {
  const [format, setFormat] = useState<SampleFormat>('openai');
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [ready, setReady] = useState<Ready | null>(null);
  const [error, setError] = useState<unknown>(null);
  const running = useRef<AbortController | null>(null);
  const link = useRef<HTMLAnchorElement>(null);

  // A new filter or format makes the file stale; leaving the page stops the work and frees the file.
  useEffect(() => () => running.current?.abort(), []);
  useEffect(() => {
    running.current?.abort();
    setReady((r) => (r && URL.revokeObjectURL(r.url), null));
    setProgress(null);
  }, [filterKey, format, profile]);
  useEffect(() => () => { if (ready) URL.revokeObjectURL(ready.url); }, [ready]);
  useEffect(() => { if (ready) link.current?.click(); }, [ready]);

  const start = async () => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setError(null);
    setReady(null);
    setProgress({ read: 0, lines: 0, more: true });
    try {
      const lines = await sampleJsonl({ customer, profile, signal: controller.signal }, filter, format, setProgress);
      const blob = new Blob(lines, { type: 'application/jsonl' });
      const day = new Date().toISOString().slice(0, 10);
      setReady({ url: URL.createObjectURL(blob), file: `sample-${profile}-${format}-${day}.jsonl`, lines: lines.length, bytes: blob.size });
    } catch (err) {
      if (!controller.signal.aborted) setError(err);
    } finally {
      if (running.current === controller) running.current = null;
    }
  };
  const cancel = () => {
    running.current?.abort();
    running.current = null;
    setProgress(null);
  };

  const busy = progress?.more === true && !error;
  return (
    <section class="card sample-download" aria-labelledby="download-title">
      <h2 id="download-title">Download as JSONL</h2>
      <div class="toolbar">
        <div class="field">
          <label for="s-format">Format</label>
          <select id="s-format" value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value as SampleFormat)} aria-describedby="s-format-help">
            <option value="openai">OpenAI chat (fine-tuning)</option>
            <option value="parley">Parley (conversation and messages)</option>
          </select>
          <span id="s-format-help" class="help">
            {format === 'openai'
              ? 'One {"messages": [{role, content}]} a conversation; conversations without text are left out.'
              : 'One {"conversation", "messages"} a conversation, as the API returns them.'}
          </span>
        </div>
        <div class="field buttons">
          <button type="button" onClick={() => void start()} disabled={busy}>{busy ? 'Preparing…' : 'Download JSONL'}</button>
          {busy ? <button type="button" class="secondary" onClick={cancel}>Cancel</button> : null}
        </div>
      </div>
      <p role="status" aria-live="polite" class="help">
        {busy && progress ? `Reading the sample: ${progress.read} conversations read, ${progress.lines} lines so far…` : ''}
        {ready ? `Ready: ${ready.lines} lines, ${formatBytes(ready.bytes)}.` : ''}
      </p>
      {ready ? <a ref={link} href={ready.url} download={ready.file}>Save {ready.file} again</a> : null}
      <ErrorNotice error={error}>The sample could not be exported</ErrorNotice>
    </section>
  );
}

const formatBytes = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);
