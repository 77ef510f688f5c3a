#!/usr/bin/env -S node --max-semi-space-size=32
// `npm start`: rebuilds dist/ when a source file is newer than the last build (as `npm run build`
// does), then runs the compiled CLI in this same process. One node process instead of a
// `prestart` script's second one, and the sources are walked once instead of twice.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from './dist-current.js';

if (!distIsCurrent()) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import('../dist/cli.js');
