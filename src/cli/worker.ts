import type { Config } from '../config.ts';
import { createCore } from '../core/index.ts';
import { startJobRunner } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { migrate } from '../store/migrate.ts';
import { openDatabase } from '../store/open.ts';
import { coreOptions } from './core-options.ts';
import { listenAdminSocket } from './admin-socket.ts';
import { pgliteTemplate } from './pglite-template.ts';
import { stopTracing } from './tracing.ts';

/** `parley worker`: only background jobs, for running them apart from the API processes. */
export async function worker(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const db = await openDatabase({ ...config, pgliteTemplate: pgliteTemplate() });
  await migrate(db);
  const core = createCore(db, coreOptions(config));
  const runner = startJobRunner({ core, log: logger, concurrency: config.jobsConcurrency });
  const metricsPort = config.metricsPort === undefined ? undefined : await (await import('../api/kit/metrics.ts')).listenMetrics(core.metrics, config.host, config.metricsPort);
  // On the embedded database the worker holds the data directory, so the CLI's commands run here.
  const closeAdmin = db.kind === 'pglite' && !config.memory ? await listenAdminSocket(config.dataDir, { db, core }, logger.child({ component: 'admin' })) : undefined;
  logger.info({ concurrency: config.jobsConcurrency }, 'worker started');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'worker stopping');
    const deadline = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    deadline.unref();
    await closeAdmin?.();
    metricsPort?.server.close();
    await runner.stop();
    await db.close();
    await stopTracing();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
