import { after, before } from 'node:test';
import { createCore, type Core } from '../../src/core/index.ts';
import { freshDatabase, type DriverKind, type TestDatabase } from './db.ts';

export interface CoreContext {
  readonly database: TestDatabase;
  readonly core: Core;
}

/** For the enclosing suite: a fresh database of `kind`, a core over it and the customer `acme`; dropped after. */
export function useCore(kind: DriverKind): CoreContext {
  const context = {} as { database: TestDatabase; core: Core };
  before(async () => {
    context.database = await freshDatabase(kind);
    context.core = createCore(context.database.db);
    await context.core.tenancy.createCustomer('acme');
  });
  after(async () => context.database?.drop());
  return context;
}
