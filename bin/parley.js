#!/usr/bin/env -S node --max-semi-space-size=32
// --max-semi-space-size=32 (MB; V8's default is 16): under load a request that waits on the database
// outlives two young-generation collections, so its objects were promoted and the old generation grew
// by ~130 MB before a full collection (npm run bench's list-messages peaked at 260-270 MB RSS over a
// live heap of ~40 MB). With room in the young generation they die there: peak ~200 MB. bin/start.js
// and the Dockerfile's ENTRYPOINT pass the same flags, and the benchmarks read them from this line
// (test/cli/node-flags.test.ts holds them together).
// Runs the compiled CLI (dist/, from `npm run build`, which `npm install` runs once) when it is at
// least as new as every source file; otherwise the TypeScript sources through tsx, so `npx parley`
// works without a build. The compiled form starts 1–2 s sooner and saves about 80 MB of RSS: no
// loader thread, no compiler.
import { distIsCurrent } from './dist-current.js';

if (distIsCurrent()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
