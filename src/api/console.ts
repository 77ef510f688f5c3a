import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The console (web/, built by `npm run build` into dist/console) as static files under /console/.
 * Every path that is not a built asset answers with index.html, so the console's own routes
 * (/console/conversations/…) survive a reload or a shared link. Assets carry a content hash in
 * their names (Vite), so they are cached for a year; index.html is revalidated on every load, so a
 * new build is picked up at once. The routes are hidden from the OpenAPI documents: the console is
 * a client of the API, not part of it. No key is needed to load it; every call it makes needs one.
 */

export interface ConsoleOptions {
  /** The built console; default dist/console of the package this module runs from. */
  dir?: string;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const HIDDEN = { schema: { hide: true } } as const;

/**
 * What the console may load: only this origin (its API calls and the call recordings it plays
 * from blob: URLs). Inline styles are allowed for the charting library's positioned elements.
 */
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "media-src 'self' blob:", "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'self'",
  "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** dist/console of the package: this module runs from src/api/ (tsx) or from a chunk in dist/ (the bundle). */
export function defaultConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

export async function consolePlugin(app: FastifyInstance, { dir = defaultConsoleDir() }: ConsoleOptions): Promise<void> {
  // Keeps the query string: /console?x=1 -> /console/?x=1.
  app.get('/console', HIDDEN, (request, reply) => reply.redirect(`/console/${request.url.slice('/console'.length)}`, 301));

  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    const notBuilt = (_request: unknown, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store')
      .send('The console is not built. Run `npm install` (or `npm run build` after an install with the dev dependencies), then restart.\n');
    app.get('/console/', HIDDEN, notBuilt);
    app.get('/console/*', HIDDEN, notBuilt);
    return;
  }

  // Only reply.sendFile, for the assets: the routes below decide what is a file and what is the app.
  await app.register(fastifyStatic, { root: dir, serve: false, cacheControl: false, etag: true, lastModified: true });
  // Read per request (a few hundred bytes): a rebuild while the server runs is served at once.
  const sendIndex = (reply: FastifyReply) => reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(readFileSync(indexFile));

  app.get('/console/', HIDDEN, (_request, reply) => sendIndex(reply));
  app.get<{ Params: { '*': string } }>('/console/*', HIDDEN, (request, reply) => {
    const path = request.params['*'];
    if (path.startsWith('assets/')) {
      return reply.header('cache-control', IMMUTABLE).header('x-content-type-options', 'nosniff').sendFile(path);
    }
    return sendIndex(reply);
  });
}
