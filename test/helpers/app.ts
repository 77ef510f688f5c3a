import { after, before } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/api/http.ts';
import { createCore, type Core, type CoreOptions } from '../../src/core/index.ts';
import { freshDatabase, type DriverKind, type TestDatabase } from './db.ts';

export interface TestTenant {
  customerId: string;
  profileId: string;
  key: string;
  /** Authorization header for this tenant's key. */
  auth: { authorization: string };
}

export interface TestContext {
  app: App;
  core: Core;
  database: TestDatabase;
  /** Customer `acme` (profiles `default` and `support`), with a full-access key. */
  a: TestTenant;
  /** Customer `globex` with a full-access key: must never see acme's data. */
  b: TestTenant;
  /** A key of acme narrowed to profile `support`. */
  aSupport: TestTenant;
  /** Counts every row of the core tables: assert it is unchanged after a refused request. */
  snapshot(): Promise<Record<string, number>>;
}

export const TABLES = ['conversations', 'messages', 'events', 'tags', 'conversation_tags', 'idempotency_keys', 'agents', 'agent_versions', 'knowledge_documents', 'interaction_claims', 'interaction_records', 'agent_feedback', 'end_users', 'conversation_states', 'message_feedback', 'awaited_replies'];

async function tenant(core: Core, customerId: string, profileId = 'default', narrowTo?: string): Promise<TestTenant> {
  const key = await core.apiKeys.create({ customerId, profileId: narrowTo ?? null });
  return { customerId, profileId, key: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
}

/** Registers before/after hooks that build an app on a fresh database for the enclosing suite; `options` add providers. */
export function useTestApp(kind: DriverKind, options: CoreOptions = {}): TestContext {
  const ctx = {} as TestContext;
  before(async () => {
    ctx.database = await freshDatabase(kind);
    ctx.core = createCore(ctx.database.db, { keyCacheSeconds: 0, ...options });
    ctx.app = await buildApp({ core: ctx.core, logger: pino({ level: 'silent' }) });
    await ctx.app.ready();
    await ctx.core.tenancy.createCustomer('acme');
    await ctx.core.tenancy.createProfile('acme', 'support', { supportedLanguages: ['en-US', 'de-CH'], defaultLanguage: 'en-US' });
    await ctx.core.tenancy.createCustomer('globex');
    ctx.a = await tenant(ctx.core, 'acme');
    ctx.b = await tenant(ctx.core, 'globex');
    ctx.aSupport = await tenant(ctx.core, 'acme', 'support', 'support');
    ctx.snapshot = async () => {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const rows = await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        counts[table] = rows[0].n;
      }
      return counts;
    };
  });
  after(async () => {
    await ctx.app?.close();
    await ctx.database?.drop();
  });
  return ctx;
}
