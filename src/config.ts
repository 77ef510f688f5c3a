/**
 * Every setting Parley reads from the environment. The README's configuration table lists
 * exactly these (a test checks it).
 */
export const CONFIG_OPTIONS = [
  { env: 'DATABASE_URL', default: '', description: 'PostgreSQL connection string. Unset: the embedded PGlite database in PARLEY_DATA_DIR.' },
  { env: 'PARLEY_DATA_DIR', default: './data', description: 'Directory of the embedded database (and, later, blobs). Ignored with DATABASE_URL or --memory.' },
  { env: 'HOST', default: '127.0.0.1', description: 'Address `parley serve` listens on.' },
  { env: 'PORT', default: '8080', description: 'Port `parley serve` listens on.' },
  { env: 'LOG_LEVEL', default: 'info', description: 'pino log level: fatal, error, warn, info, debug, trace or silent.' },
  { env: 'PARLEY_DB_POOL_SIZE', default: '20', description: 'Connections in the PostgreSQL pool of each process.' },
  { env: 'PARLEY_SHUTDOWN_TIMEOUT_MS', default: '10000', description: 'On SIGTERM/SIGINT, how long in-flight requests may run before the process exits anyway.' },
  { env: 'PARLEY_KEY_CACHE_SECONDS', default: '10', description: 'How long a verified API key is cached in memory; a revoked key stops working within this time.' },
] as const;

export type ConfigEnv = (typeof CONFIG_OPTIONS)[number]['env'];

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  memory: boolean;
  host: string;
  port: number;
  logLevel: string;
  dbPoolSize: number;
  shutdownTimeoutMs: number;
  keyCacheSeconds: number;
}

function read(env: NodeJS.ProcessEnv, name: ConfigEnv): string {
  const option = CONFIG_OPTIONS.find((o) => o.env === name)!;
  const value = env[name];
  return value === undefined || value === '' ? option.default : value;
}

function integer(env: NodeJS.ProcessEnv, name: ConfigEnv, min: number): number {
  const raw = read(env, name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  return {
    databaseUrl: read(env, 'DATABASE_URL') || undefined,
    dataDir: read(env, 'PARLEY_DATA_DIR'),
    memory: false,
    host: read(env, 'HOST'),
    port: integer(env, 'PORT', 0),
    logLevel: read(env, 'LOG_LEVEL'),
    dbPoolSize: integer(env, 'PARLEY_DB_POOL_SIZE', 1),
    shutdownTimeoutMs: integer(env, 'PARLEY_SHUTDOWN_TIMEOUT_MS', 0),
    keyCacheSeconds: integer(env, 'PARLEY_KEY_CACHE_SECONDS', 0),
    ...overrides,
  };
}
