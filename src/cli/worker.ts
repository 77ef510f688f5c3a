import type { Config } from '../config.ts';
import { createCore } from '../core/index.ts';
import { startJobRunner } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { migrate } from '../store/migrate.ts';
import { openDatabase } from '../store/open.ts';
import { coreOptions } from './core-options.ts';

/** `parley worker`: only background jobs, for running them apart from the API processes. */
export async function worker(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config);
  await migrate(db);
  const runner = startJobRunner({ core: createCore(db, coreOptions(config)), log: logger, concurrency: config.jobsConcurrency });
  logger.info({ concurrency: config.jobsConcurrency }, 'worker started');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'worker stopping');
    const deadline = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    deadline.unref();
    await runner.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
