import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { OPENAPI_DIR, openApiFiles } from '../helpers/openapi-dump.ts';

it('openapi/*.json match the documents the app serves (run `npm run openapi:dump` after changing a route)', async () => {
  const files = await openApiFiles();
  const committed = (await readdir(OPENAPI_DIR)).filter((name) => name.endsWith('.json')).sort();
  assert.deepEqual(committed, [...files.keys()].sort());
  for (const [name, text] of files) assert.equal(await readFile(new URL(name, OPENAPI_DIR), 'utf8'), text, `openapi/${name} is stale`);
});
