/**
 * A secret Parley shows once (a new API key, a webhook's signing secret): read-only, selectable,
 * with a copy button and the warning that it cannot be shown again. Used by the keys and webhooks pages.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';

/** Copies with the Clipboard API where the page may (HTTPS, localhost), else through a selection. */
async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission): the selection below still works in most browsers.
  }
  if (!input) return false;
  input.select();
  return document.execCommand('copy');
}

export function ShownOnce({ label, secret, onDismiss, children }: { label: string; secret: string; onDismiss: () => void; children?: ComponentChildren }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => setCopied((await copyText(secret, input.current)) ? 'yes' : 'no');
  return (
    <div class="card shown-once" role="region" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{label}</h2>
      {children}
      <p class="notice" id={`${id}-warning`}>
        <strong>Copy it now.</strong> Parley keeps only a hash of it: it cannot be shown again. If it is lost, make a new one.
      </p>
      <div class="secret-row">
        <label for={`${id}-secret`} class="visually-hidden">{label}</label>
        <input id={`${id}-secret`} ref={input} class="secret" readOnly value={secret} aria-describedby={`${id}-warning`}
          onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} spellcheck={false} autoComplete="off" />
        <button type="button" onClick={() => void copy()}>Copy</button>
        <button type="button" class="secondary" onClick={onDismiss}>Done</button>
      </div>
      <p role="status" aria-live="polite" class="help">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Could not copy: select the text and copy it yourself.' : ''}
      </p>
    </div>
  );
}
