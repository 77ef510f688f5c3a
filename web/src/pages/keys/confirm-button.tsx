/**
 * A button for an action that cannot be undone (revoke a key, delete a webhook or a document):
 * it opens a modal <dialog> that names what will happen; Cancel is focused first, Escape cancels.
 * Used by the keys, webhooks and agents pages.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';

interface Props {
  /** The button's text (`Revoke`). */
  label: string;
  /** Its accessible name when the text alone is ambiguous in a list (`Revoke key “ci”`). */
  ariaLabel?: string;
  /** The dialog's heading (`Revoke the key “ci”?`). */
  title: string;
  /** The dialog's confirming button (`Revoke key`). */
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  disabled?: boolean;
  children: ComponentChildren;
}

export function ConfirmButton({ label, ariaLabel, title, confirmLabel, onConfirm, disabled, children }: Props) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button type="button" class="secondary danger" aria-label={ariaLabel} aria-haspopup="dialog" disabled={disabled || busy}
        onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} class="confirm" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`}>
        <h2 id={`${id}-title`}>{title}</h2>
        <div id={`${id}-body`}>{children}</div>
        <div class="confirm-buttons">
          <button type="button" class="secondary" onClick={() => dialog.current?.close()} autoFocus>Cancel</button>
          <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>{confirmLabel}</button>
        </div>
      </dialog>
    </>
  );
}
