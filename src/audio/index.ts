/**
 * Audio for voice calls: codecs, WAV, per-channel energy, the durable per-call spool and the blob
 * store. Lower layer: imports nothing from core/ except errors; core/ and api/ import this.
 */
export {
  AUDIO_ENCODINGS, MIN_SAMPLE_RATE_HERTZ, MAX_SAMPLE_RATE_HERTZ, assertSampleRate, bytesPerSample, decodeAudio,
  encodeAudio, pcm16FromLittleEndian, pcm16ToLittleEndian, splitStereo,
} from './codecs.ts';
export type { AudioEncoding } from './codecs.ts';

export { wavHeader, encodeWav, decodeWav, readWavChannel, WAV_HEADER_BYTES } from './wav.ts';
export { resample } from './resample.ts';
export type { DecodedWav, WavChannel } from './wav.ts';

export { EnergyMeter, channelEnergy, toAudioAnalysis, ENERGY_BUCKET_SECONDS } from './energy.ts';
export type { AudioAnalysis } from './energy.ts';

export { FsBlobStore, assertBlobKey, callAudioKey, clampRange } from './blob-store.ts';
export { blobStoreFromConfig } from './blob-store-config.ts';
export type { BlobConfig } from './blob-store-config.ts';
export type { BlobStore, BlobRange, BlobStat, BlobBody } from './blob-store.ts';
export { S3BlobStore } from './s3-blob-store.ts';
export type { S3BlobStoreOptions } from './s3-blob-store.ts';

export { openRecording, recordingSpoolDir, MAX_RECORDING_CHANNELS, MAX_SILENCE_MS } from './call-recording.ts';
export type { CallRecording, RecordingOptions, FinishedRecording } from './call-recording.ts';

export type { TranscriptionPayload } from './transcription-payload.ts';
