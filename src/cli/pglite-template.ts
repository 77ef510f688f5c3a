import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The migrated PGlite data directory `npm run build` makes (scripts/build.ts): beside the
 * compiled CLI in dist/, or dist/'s when running from the TypeScript sources. Undefined before
 * the first build: a new database then runs initdb, as PGlite does by default.
 */
export function pgliteTemplate(): string | undefined {
  for (const url of [new URL('./pglite-template/', import.meta.url), new URL('../../dist/pglite-template/', import.meta.url)]) {
    const dir = fileURLToPath(url);
    if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  }
  return undefined;
}
