#!/usr/bin/env node
// Whether dist/ (from `npm run build`) is at least as new as every file in src/ and web/: bin/parley.js
// runs dist/ only then, and `npm start` (bin/start.js) rebuilds only when not. Run directly, it
// exits 0 when current, 1 when not.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function distIsCurrent() {
  try {
    return statSync(`${root}dist/.built`).mtimeMs >= Math.max(newestMtime(`${root}src`), newestMtime(`${root}web`));
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = distIsCurrent() ? 0 : 1;
