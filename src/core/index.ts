import type { Driver } from '../store/driver.ts';
import { ApiKeyService } from './api-keys.ts';
import { ConversationService } from './conversations.ts';
import { EventService } from './events.ts';
import { MessageService } from './messages.ts';
import { TagService } from './tags.ts';
import { TenancyService } from './tenancy.ts';

export interface CoreOptions {
  keyCacheSeconds?: number;
}

/** Every domain service over one database. Surfaces receive this and nothing else. */
export function createCore(db: Driver, options: CoreOptions = {}) {
  return {
    db,
    apiKeys: new ApiKeyService(db, options.keyCacheSeconds),
    tenancy: new TenancyService(db),
    conversations: new ConversationService(db),
    messages: new MessageService(db),
    events: new EventService(db),
    tags: new TagService(db),
  };
}

export type Core = ReturnType<typeof createCore>;
