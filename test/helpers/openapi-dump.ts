import pino from 'pino';
import { buildApp } from '../../src/api/http.ts';
import { createCore } from '../../src/core/index.ts';
import { freshDatabase } from './db.ts';

/** Where the committed documents live, and what each file holds. */
export const OPENAPI_DIR = new URL('../../openapi/', import.meta.url);

/**
 * The OpenAPI documents the app serves, as committed under openapi/ (`npm run openapi:dump`):
 * `parley.json` is /openapi.json, `<surface>.json` is /openapi/<surface>.json, without the
 * per-request `servers` entry, and marked as generated. A change of a route, schema or surface
 * shows in review as a change of these files; CI fails when they are stale.
 */
export async function openApiFiles(): Promise<Map<string, string>> {
  const database = await freshDatabase('pglite');
  const app = await buildApp({ core: createCore(database.db), logger: pino({ level: 'silent' }) });
  try {
    await app.ready();
    const { whole, surfaces } = app.parleyOpenApi!.documents();
    const file = (doc: object) => `${JSON.stringify({ 'x-generated': 'by `npm run openapi:dump` from the routes: do not edit', ...doc }, null, 2)}\n`;
    return new Map([['parley.json', file(whole)], ...[...surfaces].map(([name, doc]) => [`${name}.json`, file(doc)] as [string, string])]);
  } finally {
    await app.close();
    await database.drop();
  }
}
