import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The layer rule's messages for `code` linted as if it were the file at `path` (which need not exist). */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

const cases: { name: string; path: string; code: string; reported: boolean }[] = [
  { name: 'store importing core (upward)', path: 'src/store/virtual.ts', code: "export type { Core } from '../core/index.ts';\n", reported: true },
  { name: 'store importing the kernel', path: 'src/store/virtual.ts', code: "export { ParleyError } from '../kernel/errors.ts';\n", reported: false },
  { name: 'kernel importing the store', path: 'src/kernel/virtual.ts', code: "export type { Db } from '../store/driver.ts';\n", reported: true },
  { name: 'core importing the configuration', path: 'src/core/virtual.ts', code: "export { loadConfig } from '../config.ts';\n", reported: true },
  { name: 'core importing jobs (upward)', path: 'src/core/virtual.ts', code: "export * from '../jobs/index.ts';\n", reported: true },
  { name: 'a surface importing another surface', path: 'src/api/voice/virtual.ts', code: "export { conversationsSurface } from '../conversations/index.ts';\n", reported: true },
  { name: 'a surface importing its own files', path: 'src/api/voice/virtual.ts', code: "export { voiceSurface } from './index.ts';\n", reported: false },
  { name: 'a surface importing the store', path: 'src/api/ingest/virtual.ts', code: "export type { Db } from '../../store/driver.ts';\n", reported: true },
  { name: 'a surface importing the kit, core and kernel', path: 'src/api/ingest/virtual.ts', code: "export { requireApiKey } from '../kit/auth.ts';\nexport type { Core } from '../../core/index.ts';\nexport { LIMITS } from '../../kernel/limits.ts';\n", reported: false },
  { name: 'the kit importing a surface', path: 'src/api/kit/virtual.ts', code: "export { ingestSurface } from '../ingest/index.ts';\n", reported: true },
  { name: 'the kit importing the store', path: 'src/api/kit/virtual.ts', code: "export { stores } from '../../store/index.ts';\n", reported: true },
  { name: 'audio importing the blob store for its types', path: 'src/audio/virtual.ts', code: "export type { BlobStore } from '../providers/blobs/blob-store.ts';\n", reported: false },
  { name: 'audio importing the blob store for a value', path: 'src/audio/virtual.ts', code: "export { FsBlobStore } from '../providers/blobs/blob-store.ts';\n", reported: true },
  { name: 'the command line importing anything', path: 'src/cli/virtual.ts', code: "export { buildApp } from '../api/http.ts';\nexport type { Db } from '../store/driver.ts';\n", reported: false },
];

for (const c of cases) {
  test(`layers: ${c.name} is ${c.reported ? '' : 'not '}reported`, async () => {
    const errors = await layerErrors(c.path, c.code);
    assert.equal(errors.length > 0, c.reported, errors.join('\n'));
  });
}
