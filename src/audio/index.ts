/**
 * Audio for voice calls: codecs, WAV, per-channel energy and the durable per-call spool.
 * Lower layer: imports only kernel/ (and the blob store's interface); core/ and api/ import this.
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

export { openRecording, recordingSpoolDir, MAX_RECORDING_CHANNELS, MAX_SILENCE_MS } from './call-recording.ts';
export type { CallRecording, RecordingOptions, FinishedRecording } from './call-recording.ts';

export type { TranscriptionPayload } from './transcription-payload.ts';
