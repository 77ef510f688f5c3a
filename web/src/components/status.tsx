import type { ComponentChildren } from 'preact';

/** A failed load or action, announced to screen readers as it appears. */
export function ErrorNotice({ error, children }: { error: unknown; children?: ComponentChildren }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return <p class="notice error" role="alert">{children}{children ? ': ' : ''}{message}</p>;
}

/** Shown while something loads; polite, so it does not interrupt. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return <p class="loading" role="status" aria-live="polite">{what}…</p>;
}

/** Nothing to show, said plainly. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
