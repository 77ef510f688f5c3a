const ACRONYMS = new Set(['API', 'SMS']);

/** `ON_HOLD` -> `On hold`; an unspecified value as a dash; an acronym as it is. */
export function humanEnum(value: string | undefined): string {
  if (!value || value.endsWith('UNSPECIFIED')) return '—';
  if (ACRONYMS.has(value)) return value;
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What a person calls a conversation: its display name, else the person in it, else its id. */
export function conversationTitle(c: { name?: string; displayName?: string; visitor?: { displayName?: string; externalUserId?: string } }): string {
  return c.displayName || c.visitor?.displayName || c.visitor?.externalUserId || `Conversation ${(c.name ?? '').split('/').pop()}`;
}
