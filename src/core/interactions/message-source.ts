import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { failedPrecondition, notFound, ParleyError } from '../../kernel/errors.ts';
import type { Caller, Message } from '../../kernel/types.ts';
import type { BlobBody, BlobStore } from '../../providers/blobs/blob-store.ts';
import type { FilteredListService } from '../conversations/filtered-list.ts';
import { keptSecret } from '../end-users/kept-secret.ts';

/**
 * The source of a spoken message (Amigo's message source): the user's recording, kept in the blob
 * store when the voice turn is stored, handed out as a link signed by Parley that works without
 * credentials until it expires (as a bucket's presigned URL does), so a player or a browser can
 * fetch it directly.
 */

/** Amigo's `long_lived` link lasts 12 hours [vendor]; the default one as long as a player needs to start. */
export const SOURCE_LINK_SECONDS = { short: 15 * 60, long: 12 * 60 * 60 } as const;

const SECRET_NAME = 'message-source-links';

/** What a voice message's metadata records of its recording. */
export interface RecordingRef {
  key: string;
  contentType: string;
}

/** The blob key of a spoken message's recording. */
export function voiceMessageKey(customerId: string, conversationId: string, messageId: string, contentType: string): string {
  return `voice/${customerId}/${conversationId}/${messageId}.${contentType === 'audio/mpeg' ? 'mp3' : 'wav'}`;
}

/** The message's recording as its metadata names it; null for a text message. */
export function recordingOf(message: Message): RecordingRef | null {
  const source = message.metadata.source as { key?: unknown; contentType?: unknown } | undefined;
  if (message.metadata.format !== 'voice' || typeof source?.key !== 'string' || typeof source.contentType !== 'string') return null;
  return { key: source.key, contentType: source.contentType };
}

/** A redacted or deleted message's words are gone: its recording is not handed out either. */
const servable = (message: Message) => message.redactions.length === 0 && message.state !== 'DELETED';

/** A signed link's parts; the surface renders them as a URL of its own. */
export interface SourceLink {
  customerId: string;
  conversationId: string;
  messageId: string;
  /** Unix seconds. */
  expires: number;
  signature: string;
  contentType: string;
}

export class MessageSourceService {
  /** One secret for every process on the database, generated once (as the sign-in tokens' is). */
  private readonly secret: () => Promise<string>;

  constructor(private readonly db: Driver, private readonly deps: { blobs: BlobStore; filteredLists: FilteredListService }) {
    this.secret = keptSecret(db, SECRET_NAME);
  }

  /**
   * A link to the message's recording for a caller who may read the conversation. A message
   * without a recording (text) is FAILED_PRECONDITION; a redacted one too, since its words are gone.
   */
  async link(caller: Caller, conversationId: string, messageId: string, longLived: boolean, now = Date.now()): Promise<SourceLink> {
    await this.deps.filteredLists.get(caller, conversationId);
    const [message] = await stores(this.db).messages.getMessages(caller.customerId, conversationId, [messageId]);
    if (!message) throw notFound('message');
    const recording = recordingOf(message);
    if (!recording) throw failedPrecondition('the message is a text message: only a voice message has a source');
    if (!servable(message)) throw failedPrecondition('the message was redacted or deleted: its recording is not served');
    const expires = Math.floor(now / 1000) + SOURCE_LINK_SECONDS[longLived ? 'long' : 'short'];
    const link = { customerId: caller.customerId, conversationId, messageId, expires };
    return { ...link, signature: await this.sign(link), contentType: recording.contentType };
  }

  /**
   * The recording a link points at, for anyone holding the link: a signature that does not match
   * or has expired is PERMISSION_DENIED, like a bucket's refused presigned URL.
   */
  async open(link: Omit<SourceLink, 'contentType'>, now = Date.now()): Promise<BlobBody> {
    const expected = Buffer.from(await this.sign(link));
    const presented = Buffer.from(link.signature);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw new ParleyError('PERMISSION_DENIED', 'the link\'s signature is not valid');
    if (link.expires * 1000 <= now) throw new ParleyError('PERMISSION_DENIED', 'the link has expired: ask for the message source again');
    const [message] = await stores(this.db).messages.getMessages(link.customerId, link.conversationId, [link.messageId]);
    const recording = message && servable(message) ? recordingOf(message) : null;
    if (!recording) throw notFound('recording');
    return this.deps.blobs.get(recording.key);
  }

  private async sign(link: Omit<SourceLink, 'contentType' | 'signature'>): Promise<string> {
    const payload = `${link.customerId}/${link.conversationId}/${link.messageId}/${link.expires}`;
    return createHmac('sha256', await this.secret()).update(payload).digest('base64url');
  }
}
