import type { Config } from '../config.ts';
import type { CoreOptions } from '../core/index.ts';
import { transcriberFromConfig } from '../providers/asr/index.ts';
import { synthesizerFromConfig } from '../providers/tts/synthesizer-from-config.ts';
import { analyzerFromConfig } from '../providers/analysis/index.ts';
import { answererFromConfig } from '../core/agents/runtime/answerer-from-config.ts';
import { blobStoreFromConfig } from '../providers/blobs/blob-store-config.ts';
import { recordingSpoolDir } from '../audio/call-recording.ts';

/** The core's providers as configured: what `parley serve` and `parley worker` run with. */
export function coreOptions(config: Config): CoreOptions {
  return {
    keyCacheSeconds: config.keyCacheSeconds,
    appendStatements: config.appendStatements,
    webhooks: { allowPrivateNetworks: config.webhookAllowPrivateNetworks, timeoutMs: config.webhookTimeoutMs },
    ingestRateLimitPerMinute: config.ingestRateLimitPerMinute,
    ingestTranscriptCacheMb: config.ingestTranscriptCacheMb,
    endUserTokens: { secret: config.jwtSecret || undefined, ttlSeconds: config.jwtTtlSeconds },
    analyzer: analyzerFromConfig(config),
    answerer: answererFromConfig(config),
    blobs: blobStoreFromConfig(config),
    callSpoolDir: config.memory ? undefined : recordingSpoolDir(config.dataDir),
    transcriber: transcriberFromConfig(config),
    synthesizer: synthesizerFromConfig(config),
    streams: { pollMs: config.streamPollMs, heartbeatMs: config.streamHeartbeatMs, maxBufferBytes: config.streamMaxBufferBytes },
    retention: { sweepMs: config.retentionSweepMinutes * 60_000, batch: config.retentionBatch },
  };
}
