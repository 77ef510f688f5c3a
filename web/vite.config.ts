/**
 * The console's Vite configuration: `npm run build` builds it into dist/console through
 * web/build.ts, `npm run console:dev` serves it with hot reload and sends API calls to a Parley on
 * 127.0.0.1:8080 (`npm start` in another terminal).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const web = fileURLToPath(new URL('.', import.meta.url));

/** Where Fastify serves the console (src/api/console.ts): every asset URL starts with it. */
export const CONSOLE_BASE = '/console/';

export const consoleConfig = (outDir: string): UserConfig => ({
  root: web,
  base: CONSOLE_BASE,
  publicDir: false,
  logLevel: 'warn',
  // Preact's JSX through esbuild: no Babel plugin, so the build stays at a couple of seconds.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/api', '/healthz'].map((path) => [path, { target: 'http://127.0.0.1:8080' }])),
  },
});

export default defineConfig(consoleConfig(fileURLToPath(new URL('../dist/console', import.meta.url))));
