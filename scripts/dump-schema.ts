// Regenerates test/schema.sql from the migrations (npm run schema:dump); CI fails when it is stale.
import { writeFile } from 'node:fs/promises';
import { freshDatabase } from '../test/helpers/db.ts';
import { dumpSchema } from '../test/helpers/schema-dump.ts';

const database = await freshDatabase('postgres');
try {
  await writeFile(new URL('../test/schema.sql', import.meta.url), await dumpSchema(database.url!));
} finally {
  await database.drop();
}
