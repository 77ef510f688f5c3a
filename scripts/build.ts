/**
 * `npm run build`: compiles src/ to dist/ and copies what is not TypeScript (the SQL migrations),
 * then stamps dist/.built so bin/parley.js knows the compiled form matches the sources.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
cpSync(`${root}src/store/migrations`, `${root}dist/store/migrations`, { recursive: true, filter: (src) => !src.endsWith('.ts') });
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
