import type { Config } from '../config.ts';
import type { JobRunner } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { openDatabase } from '../store/open.ts';
import { migrate } from '../store/migrate.ts';
import { pgliteTemplate } from './pglite-template.ts';
import { stopTracing } from './tracing.ts';

/** `parley serve`: migrate, listen, and on SIGTERM/SIGINT finish in-flight requests within the deadline. */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  // The database opens (a template copy in a worker thread, PGlite's WebAssembly compiled by V8's
  // background threads) while the core and the HTTP app load: both take most of a start.
  const opening = openDatabase({ ...config, pgliteTemplate: pgliteTemplate() });
  // Not left unhandled while the imports run; awaited (and thrown) below.
  opening.catch(() => undefined);
  const [{ createCore }, { buildApp }, { startJobRunner }, { coreOptions }, { ensureDemoTenant }, { listenAdminSocket }] = await Promise.all([
    import('../core/index.ts'),
    import('../api/http.ts'),
    import('../jobs/index.ts'),
    import('./core-options.ts'),
    import('./demo.ts'),
    import('./admin-socket.ts'),
  ]);
  const db = await opening;
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const core = createCore(db, coreOptions(config));
  const app = await buildApp({ core, logger, uploadIdleMs: config.uploadIdleTimeoutMs, metricsPublic: config.metricsPublic });
  await app.listen({ host: config.host, port: config.port });
  const metricsPort = config.metricsPort === undefined ? undefined : await (await import('../api/kit/metrics.ts')).listenMetrics(core.metrics, config.host, config.metricsPort);
  const runner: JobRunner | undefined = config.jobs
    ? startJobRunner({ core, log: logger.child({ component: 'jobs' }), concurrency: config.jobsConcurrency })
    : undefined;
  const address = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  if (db.kind === 'postgres' && (await core.tenancy.listCustomers()).length === 0) {
    process.stdout.write(
      `\nParley is running on PostgreSQL, which has no customers yet. Create one and an API key (with the same DATABASE_URL):\n\n` +
        `  npx parley customers create acme --name "Acme Inc."\n  npx parley keys create --customer acme\n\n` +
        `then send the key as 'Authorization: Bearer <key>'. API docs: ${address}/docs; the console: ${address}/console/\n\n`,
    );
  }
  if (db.kind === 'pglite') {
    const demo = await ensureDemoTenant(core);
    if (demo) {
      process.stdout.write(
        `\nParley created a demo customer "${demo.customerId}", profile "${demo.profileId}" and this API key (shown once):\n\n  ${demo.secret}\n\n` +
          `Try it:\n\n  curl -s -X POST ${address}/v1/customers/${demo.customerId}/profiles/${demo.profileId}/conversations:start \\\n` +
          `    -H 'Authorization: Bearer ${demo.secret}' -H 'Content-Type: application/json' -d '{"displayName":"hello"}'\n\n` +
          `API docs: ${address}/docs\nThe console (sign in with the key): ${address}/console/\n\n`,
      );
    }
  }
  // Opened after the demo tenant exists, so a command sent at once already sees it.
  const closeAdmin = db.kind === 'pglite' && !config.memory ? await listenAdminSocket(config.dataDir, { db, core }, logger.child({ component: 'admin' })) : undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.warn('shutdown deadline passed; exiting with requests still in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await closeAdmin?.();
    metricsPort?.server.close();
    await app.close();
    await runner?.stop();
    await db.close();
    await stopTracing();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
