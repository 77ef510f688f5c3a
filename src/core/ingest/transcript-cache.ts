import { LRUCache } from 'lru-cache';
import type { Message } from '../../kernel/types.ts';

/**
 * The transcripts this process last read or wrote, so that an ingest append (whose answer carries
 * the whole transcript) reads only the conversation's row when nothing else changed it, instead of
 * every message again.
 *
 * An entry is used only when the conversation is still at the version it was kept at: the
 * conversation's next event seq, which every change to its messages moves in the same transaction
 * (append, redaction, deletion: each appends an event). An entry kept at a guessed version (after
 * this process's own append) is at worst too old, so it misses and is read again; it is never
 * taken for a newer transcript. Other processes' writes miss the same way.
 */
export interface CachedTranscript {
  version: number;
  messages: readonly Message[];
}

/**
 * A kept message's estimated size beside its text (2 bytes a UTF-16 unit): its object, dates,
 * metadata and its rendered wire form (api/ingest/map.ts). Measured with bench/ingest.ts: ~40,000
 * kept messages added ~70 MB of peak RSS; ~54,000 (the 64 MB default's bound) up to ~170 MB with
 * the garbage collector's headroom.
 */
const MESSAGE_BYTES = 1536;

export class TranscriptCache {
  /** Undefined when the bound is 0: nothing is kept. */
  private readonly entries?: LRUCache<string, CachedTranscript>;

  /** `maxMb`: the estimated memory the kept transcripts may take (PARLEY_INGEST_TRANSCRIPT_CACHE_MB). */
  constructor(maxMb = 64) {
    if (maxMb > 0) {
      this.entries = new LRUCache({
        maxSize: maxMb * 1024 * 1024,
        sizeCalculation: ({ messages }) => messages.reduce((n, m) => n + 2 * m.text.length + MESSAGE_BYTES, MESSAGE_BYTES),
      });
    }
  }

  private key(customerId: string, conversationId: string): string {
    return `${customerId}/${conversationId}`;
  }

  /** The version a read may skip the messages at, when this process holds them. */
  version(customerId: string, conversationId: string): number | undefined {
    return this.entries?.get(this.key(customerId, conversationId))?.version;
  }

  /** The messages kept at exactly `version`, or undefined. */
  messagesAt(customerId: string, conversationId: string, version: number): readonly Message[] | undefined {
    const entry = this.entries?.get(this.key(customerId, conversationId));
    return entry?.version === version ? entry.messages : undefined;
  }

  keep(customerId: string, conversationId: string, entry: CachedTranscript): void {
    this.entries?.set(this.key(customerId, conversationId), entry);
  }

  forget(customerId: string, conversationId: string): void {
    this.entries?.delete(this.key(customerId, conversationId));
  }
}
