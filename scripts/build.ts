/**
 * `npm run build` (run once by `npm install`, and by `npm start` when src/ changed since):
 * 1. bundles src/ into dist/ with esbuild (under a second; tsc took 10–18 s and only type-checks
 *    now, in `npm run typecheck`), the heavy parts split into chunks the CLI loads on demand;
 * 2. copies the SQL migrations beside the bundle;
 * 3. makes dist/pglite-template, a migrated PGlite data directory that a new embedded database
 *    starts as a copy of (initdb alone takes 7–11 s and peaks near 900 MB). It is remade only when
 *    PGlite's version or an applied migration changed, and brought up to date when migrations
 *    were added;
 * 4. builds the console (web/, Vite) into dist/console, skipped when its inputs are unchanged
 *    (web/build.ts) or when Vite is not installed (a production-only install: the server then
 *    says at /console how to build it);
 * 5. stamps dist/.built, so bin/dist-current.js knows the compiled form matches the sources.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate } from '../src/store/migrate.ts';
import { openDatabase } from '../src/store/open.ts';
import { buildConsole, canBuildConsole } from '../web/build.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const TEMPLATE = `${dist}/pglite-template`;
const TEMPLATE_STAMP = `${dist}/pglite-template.json`;

/** Bumped when the way the template is made changes, so an older template is made again. */
const TEMPLATE_FORMAT = 2;

interface TemplateStamp {
  format: number;
  pglite: string;
  migrations: { version: number; sha256: string }[];
}

async function bundle(): Promise<void> {
  mkdirSync(dist, { recursive: true });
  for (const name of readdirSync(dist)) {
    if (!name.startsWith('pglite-template') && name !== 'console') rmSync(`${dist}/${name}`, { recursive: true, force: true });
  }
  await build({
    entryPoints: [`${root}src/cli.ts`],
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    // Error classes and functions keep their names in messages and stack traces.
    keepNames: true,
    logLevel: 'warning',
  });
  // migrate.ts reads ./migrations/ beside itself: beside the bundle's chunks here.
  cpSync(`${root}src/store/migrations`, `${dist}/migrations`, { recursive: true, filter: (src) => !src.endsWith('.ts') });
}

async function makeTemplate(): Promise<void> {
  const pglite = (JSON.parse(readFileSync(`${root}node_modules/@electric-sql/pglite/package.json`, 'utf8')) as { version: string }).version;
  const migrations = (await loadMigrations()).map((m) => ({ version: m.version, sha256: createHash('sha256').update(m.sql).digest('hex') }));
  let stamp: TemplateStamp | undefined;
  try {
    stamp = JSON.parse(readFileSync(TEMPLATE_STAMP, 'utf8')) as TemplateStamp;
  } catch {
    stamp = undefined;
  }
  const usable = stamp !== undefined && stamp.format === TEMPLATE_FORMAT && stamp.pglite === pglite && existsSync(`${TEMPLATE}/PG_VERSION`) &&
    stamp.migrations.every((m, i) => migrations[i]?.version === m.version && migrations[i].sha256 === m.sha256);
  if (usable && stamp!.migrations.length === migrations.length) return;

  const work = `${dist}/pglite-template-build`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  if (usable) renameSync(TEMPLATE, `${work}/pglite`);
  rmSync(TEMPLATE, { recursive: true, force: true });
  rmSync(TEMPLATE_STAMP, { force: true });
  process.stdout.write(usable ? 'pglite template: applying new migrations\n' : 'pglite template: creating the database (initdb and every migration, a few seconds, once)\n');
  const db = await openDatabase({ databaseUrl: undefined, dataDir: work, memory: false, dbPoolSize: 1 });
  try {
    await migrate(db);
    // Parley uses only the `postgres` database: without the two template databases a new data
    // directory is 488 files instead of 1,088, and creating files is most of a first start's copy.
    for (const name of ['template0', 'template1']) {
      await db.query(`ALTER DATABASE ${name} IS_TEMPLATE false`).catch(() => undefined);
      await db.query(`DROP DATABASE IF EXISTS ${name}`);
    }
    await db.query('CHECKPOINT');
  } finally {
    await db.close();
  }
  renameSync(`${work}/pglite`, TEMPLATE);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(TEMPLATE_STAMP, `${JSON.stringify({ format: TEMPLATE_FORMAT, pglite, migrations } satisfies TemplateStamp, null, 2)}\n`);
}

await bundle();
await makeTemplate();
if (canBuildConsole()) await buildConsole(`${dist}/console`);
else process.stdout.write('console: not built (Vite, a dev dependency, is not installed)\n');
writeFileSync(`${dist}/.built`, `${new Date().toISOString()}\n`);
