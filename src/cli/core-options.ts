import type { Config } from '../config.ts';
import type { CoreOptions } from '../core/index.ts';

/** The core's providers as configured: what `parley serve` and `parley worker` run with. */
export function coreOptions(config: Config): CoreOptions {
  return {
    keyCacheSeconds: config.keyCacheSeconds,
    webhooks: { allowPrivateNetworks: config.webhookAllowPrivateNetworks, timeoutMs: config.webhookTimeoutMs },
  };
}
