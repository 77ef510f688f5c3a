import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { freshDatabase } from '../helpers/db.ts';
import { dumpSchema } from '../helpers/schema-dump.ts';

it('test/schema.sql matches the schema the migrations build (run `npm run schema:dump` after adding one)', async () => {
  const database = await freshDatabase('postgres');
  try {
    const committed = await readFile(new URL('../schema.sql', import.meta.url), 'utf8');
    assert.equal(await dumpSchema(database.url!), committed);
  } finally {
    await database.drop();
  }
});
