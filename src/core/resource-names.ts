import type { Conversation } from '../kernel/types.ts';

/*
 * How resources are named on the wire, where the core itself needs the names: webhook bodies carry
 * both renderings of a conversation, and a transfer records the legs by resource name. The
 * surfaces render and parse with the same functions.
 */

export function profileName(customerId: string, profileId: string): string {
  return `customers/${customerId}/profiles/${profileId}`;
}

/** The conversations surface's resource name: `customers/{c}/profiles/{p}/conversations/{id}`. */
export function conversationName(c: Pick<Conversation, 'customerId' | 'profileId' | 'nameId'>): string {
  return `${profileName(c.customerId, c.profileId)}/conversations/${c.nameId}`;
}

/** The ingest surface's ids: Parley's 24-hex id behind the vendor's prefix. */
export const INGEST_ID_PREFIXES = { conversation: 'conv_', prompt: 'prompt_' } as const;

export function ingestId(kind: keyof typeof INGEST_ID_PREFIXES, id: string): string {
  return `${INGEST_ID_PREFIXES[kind]}${id}`;
}
