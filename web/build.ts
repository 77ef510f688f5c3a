/**
 * Builds the console (web/) into a directory of static files with Vite: called by scripts/build.ts
 * for dist/console and by the console tests for their own copy. The output carries a stamp of its
 * inputs (web/'s files and the lockfile), so `npm run build` skips an unchanged console: a build
 * takes about 2 s, a check a few milliseconds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('.', import.meta.url));
const STAMP = '.inputs';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && entry.name !== 'dist')
    .flatMap((entry) => (entry.isDirectory() ? files(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`]))
    .sort();
}

/** A digest of everything the console's build reads. */
export function consoleInputs(): string {
  const hash = createHash('sha256');
  for (const file of [...files(web), `${web}../package-lock.json`]) hash.update(file.slice(web.length)).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

/** Whether Vite is installed: a production-only install (`npm ci --omit=dev`) has no console build tools. */
export function canBuildConsole(): boolean {
  return existsSync(fileURLToPath(new URL('../node_modules/vite/package.json', import.meta.url)));
}

/** Builds the console into `outDir` unless it holds a build of the same inputs; true when it built. */
export async function buildConsole(outDir: string, { force = false } = {}): Promise<boolean> {
  const inputs = consoleInputs();
  if (!force && existsSync(`${outDir}/${STAMP}`) && readFileSync(`${outDir}/${STAMP}`, 'utf8') === inputs) return false;
  const [{ build }, { consoleConfig }] = await Promise.all([import('vite'), import('./vite.config.ts')]);
  await build({ ...consoleConfig(outDir), configFile: false });
  writeFileSync(`${outDir}/${STAMP}`, inputs);
  return true;
}
