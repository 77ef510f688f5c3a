// Regenerates openapi/*.json from the routes (npm run openapi:dump); CI fails when they are stale.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { OPENAPI_DIR, openApiFiles } from '../test/helpers/openapi-dump.ts';

const files = await openApiFiles();
await mkdir(OPENAPI_DIR, { recursive: true });
for (const name of await readdir(OPENAPI_DIR)) {
  if (name.endsWith('.json') && !files.has(name)) await rm(new URL(name, OPENAPI_DIR));
}
for (const [name, text] of files) await writeFile(new URL(name, OPENAPI_DIR), text);
