import type { AsrMode } from './providers/asr/index.ts';
import type { TtsMode } from './providers/tts/synthesizer-from-config.ts';
import type { S3BlobStoreOptions } from './providers/blobs/s3-blob-store.ts';
import { PROVIDER_MODES, type ProviderMode } from './providers/provider-choice.ts';
/**
 * Every setting Parley reads from the environment. The README's configuration table lists
 * exactly these (a test checks it).
 */
export const CONFIG_OPTIONS = [
  { env: 'DATABASE_URL', default: '', description: 'PostgreSQL connection string. Unset: the embedded PGlite database in PARLEY_DATA_DIR.' },
  { env: 'PARLEY_DATA_DIR', default: './data', description: 'Directory of the embedded database, call recordings (`blobs/`) and in-progress call audio (`spool/`). Ignored with DATABASE_URL or --memory.' },
  { env: 'HOST', default: '127.0.0.1', description: 'Address `parley serve` listens on.' },
  { env: 'PORT', default: '8080', description: 'Port `parley serve` listens on.' },
  { env: 'LOG_LEVEL', default: 'info', description: 'pino log level: fatal, error, warn, info, debug, trace or silent.' },
  { env: 'PARLEY_METRICS_PUBLIC', default: 'off', description: 'on: `GET /metrics` on the API port answers without a key. off: it needs a key of the whole customer, or one with the `Parley:ReadMetrics` scope.' },
  { env: 'PARLEY_METRICS_PORT', default: '', description: 'A port of its own on HOST where `parley serve` and `parley worker` serve `GET /metrics` without a key, for a scraper on a private network; never expose it. Unset: no such port.' },
  { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: '', description: 'The standard OpenTelemetry variable: base URL of an OTLP/HTTP collector (`http://collector:4318`); traces of requests and database statements go to `{endpoint}/v1/traces`. The other standard `OTEL_*` variables (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, …) apply too. Unset: no tracing, and the OpenTelemetry SDK is not loaded.' },
  { env: 'PARLEY_DB_POOL_SIZE', default: '20', description: 'Connections in the PostgreSQL pool of each process.' },
  { env: 'PARLEY_APPEND_STATEMENTS', default: '1', description: 'Append statements one process runs at once on the conversations surface. Appends that arrive while they run wait and are written together, in one statement and one commit (group commit); 1 gives the largest groups, a database with many cores may take more.' },
  { env: 'PARLEY_SHUTDOWN_TIMEOUT_MS', default: '10000', description: 'On SIGTERM/SIGINT, how long in-flight requests may run before the process exits anyway.' },
  { env: 'PARLEY_UPLOAD_IDLE_TIMEOUT_MS', default: '30000', description: 'How long a streamed request body (an `agent` surface voice recording) may pause before the request is refused (408) with nothing stored; the whole upload may take longer.' },
  { env: 'PARLEY_KEY_CACHE_SECONDS', default: '10', description: 'How long a verified API key is cached in memory; a revoked key stops working within this time.' },
  { env: 'PARLEY_JWT_SECRET', default: '', description: 'Secret (at least 32 characters) that signs and verifies the `agent` surface\'s sign-in tokens (HS256 JWTs from `POST /v1/{org}/user/signin_with_api_key`). Unset: a random secret generated once and kept in the database, shared by every process.' },
  { env: 'PARLEY_JWT_TTL_SECONDS', default: '3600', description: 'How long an `agent` surface sign-in token is valid (`expires_at`); at least 600, as Amigo\'s SDK signs in again when under 5 minutes remain.' },
  { env: 'PARLEY_STREAM_POLL_MS', default: '1000', description: 'How often each process reads the event log for its live streams when no NOTIFY wakes it earlier (the NOTIFY sent after each commit that appends events is only a hint; this is the backstop).' },
  { env: 'PARLEY_STREAM_HEARTBEAT_MS', default: '15000', description: 'A heartbeat on every live event stream this often (an SSE comment line, an NDJSON `{"type":"heartbeat"}`), so proxies do not close idle streams.' },
  { env: 'PARLEY_STREAM_MAX_BUFFER_BYTES', default: '1048576', description: 'Bytes a live event stream may have waiting for a consumer that does not keep up; past it the stream ends with a last message carrying the cursor to resume from.' },
  { env: 'PARLEY_JOBS', default: 'on', description: 'on: `parley serve` also runs background jobs (webhooks, analysis, transcription). off: only `parley worker` processes run them.' },
  { env: 'PARLEY_JOBS_CONCURRENCY', default: '4', description: 'Background jobs one process runs at once.' },
  { env: 'PARLEY_RETENTION_SWEEP_MINUTES', default: '60', description: 'How often the retention purge runs: it removes the conversations past their profile\'s retention (`parley profiles update --retention-days N`) or their own `policyOverride.retentionDays`, leaving a `conversation.deleted` event for each.' },
  { env: 'PARLEY_RETENTION_BATCH', default: '500', description: 'Conversations one retention purge run removes at most; a run that reaches it runs again at once, so a backlog drains in batches.' },
  { env: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', default: 'false', description: 'true: webhook endpoints may point at loopback, private, link-local and other non-public addresses (local receivers, tests). false: such URLs are refused at registration and at every delivery.' },
  { env: 'WEBHOOK_TIMEOUT_MS', default: '10000', description: 'How long one webhook delivery attempt may take (at most 25000); a slower receiver counts as a failed attempt.' },
  { env: 'PARLEY_INGEST_RATE_LIMIT_PER_MINUTE', default: '300', description: 'Requests a minute each API key may make on the ingest surface (`/api/v1`), counted in the database across every server process; over it: 429 RATE_LIMITED with Retry-After.' },
  { env: 'PARLEY_INGEST_TRANSCRIPT_CACHE_MB', default: '64', description: 'Memory (estimated, MB) each process may use to keep the `ingest` surface\'s transcripts between appends, so an append reads only the conversation\'s row when nothing else changed it; least recently used first out. 0: every append reads the whole transcript.' },
  { env: 'PARLEY_BLOB_S3_BUCKET', default: '', description: 'S3-compatible bucket for call recordings. Unset: recordings are files under PARLEY_DATA_DIR/blobs.' },
  { env: 'PARLEY_BLOB_S3_ENDPOINT', default: '', description: 'Endpoint of the S3-compatible store (`http://minio:9000`); requests are path-style. Unset: `https://s3.<region>.amazonaws.com`.' },
  { env: 'PARLEY_BLOB_S3_REGION', default: 'us-east-1', description: 'Region the S3 requests are signed for (SigV4).' },
  { env: 'PARLEY_BLOB_S3_ACCESS_KEY_ID', default: '', description: 'Access key id for the S3-compatible store.' },
  { env: 'PARLEY_BLOB_S3_SECRET_ACCESS_KEY', default: '', description: 'Secret access key for the S3-compatible store.' },
  { env: 'PARLEY_ASR', default: 'auto', description: 'Call transcription: auto (the OpenAI-compatible service when PARLEY_ASR_BASE_URL is set, else the local pocketsphinx recognizer when installed, else none), openai, local or off.' },
  { env: 'PARLEY_ASR_BASE_URL', default: '', description: 'OpenAI-compatible transcription service (`https://api.openai.com`); Parley posts to `{base}/v1/audio/transcriptions`.' },
  { env: 'PARLEY_ASR_API_KEY', default: '', description: 'Bearer key for PARLEY_ASR_BASE_URL.' },
  { env: 'PARLEY_ASR_MODEL', default: 'whisper-1', description: 'Model name sent to the transcription service.' },
  { env: 'PARLEY_TTS', default: 'auto', description: 'Speech for the `agent` surface\'s voice replies (`response_format=voice`): auto (the OpenAI-compatible service when PARLEY_TTS_BASE_URL is set, else espeak-ng when installed, else none: voice replies are refused), openai, local or off.' },
  { env: 'PARLEY_TTS_BASE_URL', default: '', description: 'OpenAI-compatible speech service (`https://api.openai.com`); Parley posts to `{base}/v1/audio/speech` with `response_format: "pcm"`.' },
  { env: 'PARLEY_TTS_API_KEY', default: '', description: 'Bearer key for PARLEY_TTS_BASE_URL.' },
  { env: 'PARLEY_TTS_MODEL', default: 'tts-1', description: 'Model name sent to the speech service.' },
  { env: 'PARLEY_TTS_VOICE', default: '', description: 'The agent\'s voice: a voice of the speech service (default `alloy`), or with espeak-ng one of `espeak-ng --voices` (default `en-us`).' },
  { env: 'PARLEY_LLM_BASE_URL', default: '', description: 'Base URL of an OpenAI-compatible API (e.g. `https://api.openai.com/v1`, vLLM, Ollama `http://127.0.0.1:11434/v1`). Set together with PARLEY_LLM_MODEL: insights come from that model instead of the local analyzer.' },
  { env: 'PARLEY_LLM_API_KEY', default: '', description: 'Bearer token sent to PARLEY_LLM_BASE_URL (leave unset for servers without authentication).' },
  { env: 'PARLEY_LLM_MODEL', default: '', description: 'Model name sent to PARLEY_LLM_BASE_URL (e.g. `gpt-4o-mini`).' },
  { env: 'PARLEY_LLM_TIMEOUT_MS', default: '60000', description: 'How long one LLM request may take (at most 150000); a slower answer fails the attempt and the job retries.' },
] as const;

export type ConfigEnv = (typeof CONFIG_OPTIONS)[number]['env'];

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  memory: boolean;
  host: string;
  port: number;
  logLevel: string;
  metricsPublic: boolean;
  /** Set: /metrics is also served without a key on this port. */
  metricsPort: number | undefined;
  /** '' : no tracing. */
  otlpEndpoint: string;
  dbPoolSize: number;
  appendStatements: number;
  shutdownTimeoutMs: number;
  uploadIdleTimeoutMs: number;
  keyCacheSeconds: number;
  jobs: boolean;
  jobsConcurrency: number;
  streamPollMs: number;
  streamHeartbeatMs: number;
  streamMaxBufferBytes: number;
  retentionSweepMinutes: number;
  retentionBatch: number;
  webhookAllowPrivateNetworks: boolean;
  webhookTimeoutMs: number;
  ingestRateLimitPerMinute: number;
  ingestTranscriptCacheMb: number;
  /** '' : generated and kept in the database. */
  jwtSecret: string;
  jwtTtlSeconds: number;
  /** Set when PARLEY_BLOB_S3_BUCKET is: recordings go to that bucket instead of PARLEY_DATA_DIR/blobs. */
  blobS3: S3BlobStoreOptions | null;
  asr: AsrMode;
  asrBaseUrl: string;
  asrApiKey: string;
  asrModel: string;
  tts: TtsMode;
  ttsBaseUrl: string;
  ttsApiKey: string;
  ttsModel: string;
  ttsVoice: string;
  /** Set when PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL are. */
  llm: { baseUrl: string; apiKey: string; model: string; timeoutMs: number } | undefined;
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

function trueFalse(env: NodeJS.ProcessEnv, name: ConfigEnv): boolean {
  const raw = read(env, name).toLowerCase();
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false, got "${raw}"`);
  return raw === 'true';
}

/** The webhook job's lock is 30 s; an attempt must end well inside it, or a second worker would send it again. */
function webhookTimeout(env: NodeJS.ProcessEnv): number {
  const value = integer(env, 'WEBHOOK_TIMEOUT_MS', 1);
  if (value > 25_000) throw new Error(`WEBHOOK_TIMEOUT_MS must be at most 25000, got "${value}"`);
  return value;
}

/** HS256 needs a key of at least 256 bits; 32 characters is the least that can hold them. */
function jwtSecret(env: NodeJS.ProcessEnv): string {
  const value = read(env, 'PARLEY_JWT_SECRET');
  if (value !== '' && value.length < 32) throw new Error(`PARLEY_JWT_SECRET must be at least 32 characters, got ${value.length}`);
  return value;
}

function onOff(env: NodeJS.ProcessEnv, name: ConfigEnv): boolean {
  const raw = read(env, name).toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new Error(`${name} must be on or off, got "${raw}"`);
  return raw === 'on';
}

/** The analysis job's lock is 180 s; an LLM request must end well inside it, or a second worker would run the job too. */
function llmConfig(env: NodeJS.ProcessEnv): Config['llm'] {
  const baseUrl = read(env, 'PARLEY_LLM_BASE_URL');
  const model = read(env, 'PARLEY_LLM_MODEL');
  const timeoutMs = integer(env, 'PARLEY_LLM_TIMEOUT_MS', 1);
  if (timeoutMs > 150_000) throw new Error(`PARLEY_LLM_TIMEOUT_MS must be at most 150000, got "${timeoutMs}"`);
  if (!baseUrl && !model) return undefined;
  if (!baseUrl || !model) throw new Error('PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL are set together (one of them is missing)');
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`PARLEY_LLM_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey: read(env, 'PARLEY_LLM_API_KEY'), model, timeoutMs };
}

function blobS3(env: NodeJS.ProcessEnv): S3BlobStoreOptions | null {
  const bucket = read(env, 'PARLEY_BLOB_S3_BUCKET');
  if (!bucket) return null;
  const region = read(env, 'PARLEY_BLOB_S3_REGION');
  const accessKeyId = read(env, 'PARLEY_BLOB_S3_ACCESS_KEY_ID');
  const secretAccessKey = read(env, 'PARLEY_BLOB_S3_SECRET_ACCESS_KEY');
  if (!accessKeyId || !secretAccessKey) throw new Error('PARLEY_BLOB_S3_BUCKET needs PARLEY_BLOB_S3_ACCESS_KEY_ID and PARLEY_BLOB_S3_SECRET_ACCESS_KEY');
  const endpoint = read(env, 'PARLEY_BLOB_S3_ENDPOINT') || `https://s3.${region}.amazonaws.com`;
  return { endpoint, bucket, region, accessKeyId, secretAccessKey };
}

/** PARLEY_ASR or PARLEY_TTS: which speech provider (providers/provider-choice.ts). */
function providerMode(env: NodeJS.ProcessEnv, name: 'PARLEY_ASR' | 'PARLEY_TTS'): ProviderMode {
  const raw = read(env, name).toLowerCase();
  const mode = PROVIDER_MODES.find((m) => m === raw);
  if (!mode) throw new Error(`${name} must be ${PROVIDER_MODES.slice(0, -1).join(', ')} or ${PROVIDER_MODES.at(-1)}, got "${raw}"`);
  return mode;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  return {
    databaseUrl: read(env, 'DATABASE_URL') || undefined,
    dataDir: read(env, 'PARLEY_DATA_DIR'),
    memory: false,
    host: read(env, 'HOST'),
    port: integer(env, 'PORT', 0),
    logLevel: read(env, 'LOG_LEVEL'),
    metricsPublic: onOff(env, 'PARLEY_METRICS_PUBLIC'),
    metricsPort: read(env, 'PARLEY_METRICS_PORT') === '' ? undefined : integer(env, 'PARLEY_METRICS_PORT', 0),
    otlpEndpoint: read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
    dbPoolSize: integer(env, 'PARLEY_DB_POOL_SIZE', 1),
    appendStatements: integer(env, 'PARLEY_APPEND_STATEMENTS', 1),
    shutdownTimeoutMs: integer(env, 'PARLEY_SHUTDOWN_TIMEOUT_MS', 0),
    uploadIdleTimeoutMs: integer(env, 'PARLEY_UPLOAD_IDLE_TIMEOUT_MS', 1),
    keyCacheSeconds: integer(env, 'PARLEY_KEY_CACHE_SECONDS', 0),
    jobs: onOff(env, 'PARLEY_JOBS'),
    jobsConcurrency: integer(env, 'PARLEY_JOBS_CONCURRENCY', 1),
    streamPollMs: integer(env, 'PARLEY_STREAM_POLL_MS', 10),
    streamHeartbeatMs: integer(env, 'PARLEY_STREAM_HEARTBEAT_MS', 100),
    streamMaxBufferBytes: integer(env, 'PARLEY_STREAM_MAX_BUFFER_BYTES', 1024),
    retentionSweepMinutes: integer(env, 'PARLEY_RETENTION_SWEEP_MINUTES', 1),
    retentionBatch: integer(env, 'PARLEY_RETENTION_BATCH', 1),
    webhookAllowPrivateNetworks: trueFalse(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
    webhookTimeoutMs: webhookTimeout(env),
    ingestRateLimitPerMinute: integer(env, 'PARLEY_INGEST_RATE_LIMIT_PER_MINUTE', 1),
    ingestTranscriptCacheMb: integer(env, 'PARLEY_INGEST_TRANSCRIPT_CACHE_MB', 0),
    jwtSecret: jwtSecret(env),
    jwtTtlSeconds: integer(env, 'PARLEY_JWT_TTL_SECONDS', 600),
    blobS3: blobS3(env),
    asr: providerMode(env, 'PARLEY_ASR'),
    asrBaseUrl: read(env, 'PARLEY_ASR_BASE_URL'),
    asrApiKey: read(env, 'PARLEY_ASR_API_KEY'),
    asrModel: read(env, 'PARLEY_ASR_MODEL'),
    tts: providerMode(env, 'PARLEY_TTS'),
    ttsBaseUrl: read(env, 'PARLEY_TTS_BASE_URL'),
    ttsApiKey: read(env, 'PARLEY_TTS_API_KEY'),
    ttsModel: read(env, 'PARLEY_TTS_MODEL'),
    ttsVoice: read(env, 'PARLEY_TTS_VOICE'),
    llm: llmConfig(env),
    ...overrides,
  };
}
