import type { Driver } from '../store/driver.ts';
import { ApiKeyService } from './api-keys.ts';
import { ConversationLookupService } from './conversation-lookups.ts';
import { ConversationService } from './conversations.ts';
import { EventService } from './events.ts';
import { MessageService } from './messages.ts';
import { SamplingService } from './sampling.ts';
import { TagService } from './tags.ts';
import { TenancyService } from './tenancy.ts';

export interface CoreOptions {
  keyCacheSeconds?: number;
}

/** Every domain service over one database. Surfaces receive this and nothing else. */
export function createCore(db: Driver, options: CoreOptions = {}) {
  const conversations = new ConversationService(db);
  return {
    db,
    apiKeys: new ApiKeyService(db, options.keyCacheSeconds),
    tenancy: new TenancyService(db),
    conversations,
    lookups: new ConversationLookupService(db, conversations),
    sampling: new SamplingService(db),
    messages: new MessageService(db),
    events: new EventService(db),
    tags: new TagService(db),
  };
}

export type Core = ReturnType<typeof createCore>;
