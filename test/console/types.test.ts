import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { generateTypes, SURFACES, typesFile } from '../../web/types.ts';

// The console's API types are generated from the committed OpenAPI documents and committed too:
// a route change that the console has not been regenerated for fails here, not in a browser.
for (const surface of SURFACES) {
  it(`web/src/api/${surface}.d.ts is what openapi/${surface}.json generates (npm run console:types)`, async () => {
    assert.equal(readFileSync(typesFile(surface), 'utf8'), await generateTypes(surface),
      `web/src/api/${surface}.d.ts is stale: run \`npm run console:types\` (after \`npm run openapi:dump\`)`);
  });
}
