import type { Role } from '../kernel/types.ts';

/**
 * Per-channel loudness for a waveform view: RMS of each 100 ms bucket, scaled to 0..1 of full
 * scale (32768). [Parley] 100 ms keeps a 60-minute call at 36 000 numbers a channel (~200 KB of
 * JSON), fine for a conversation row, and is finer than any waveform widget draws.
 */
export const ENERGY_BUCKET_SECONDS = 0.1;

/**
 * The conversation's `audioAnalysis`. `agentEnergy`/`visitorEnergy` are the vendor's fields;
 * `channels` [Parley] carries every channel with its role when a call has more than two, or roles
 * other than AGENT and VISITOR.
 */
export interface AudioAnalysis {
  bucketDuration: number;
  agentEnergy: number[];
  visitorEnergy: number[];
  channels?: { index: number; role: Role; energy: number[] }[];
}

/** Accumulates RMS buckets over samples fed in arbitrary chunks. */
export class EnergyMeter {
  readonly buckets: number[] = [];
  private readonly bucketSamples: number;
  private sumSquares = 0;
  private count = 0;

  constructor(sampleRateHertz: number, bucketSeconds = ENERGY_BUCKET_SECONDS) {
    this.bucketSamples = Math.max(1, Math.round(sampleRateHertz * bucketSeconds));
  }

  push(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length; i++) {
      const s = pcm[i];
      this.sumSquares += s * s;
      if (++this.count === this.bucketSamples) this.flushBucket();
    }
  }

  /** Closes a trailing partial bucket, so a 250 ms recording has 3 buckets. */
  finish(): number[] {
    if (this.count > 0) this.flushBucket();
    return this.buckets;
  }

  private flushBucket(): void {
    const rms = Math.sqrt(this.sumSquares / this.count) / 32768;
    // Four decimals: enough for a waveform, and keeps the JSON small.
    this.buckets.push(Math.round(rms * 10_000) / 10_000);
    this.sumSquares = 0;
    this.count = 0;
  }
}

export function channelEnergy(pcm: Int16Array, sampleRateHertz: number, bucketSeconds = ENERGY_BUCKET_SECONDS): number[] {
  const meter = new EnergyMeter(sampleRateHertz, bucketSeconds);
  meter.push(pcm);
  return meter.finish();
}

/**
 * Shapes per-channel buckets as the conversation's audioAnalysis: the first AGENT channel is
 * `agentEnergy`, the first VISITOR channel `visitorEnergy`; `channels` lists all of them when
 * that mapping does not cover every channel.
 */
export function toAudioAnalysis(energies: number[][], roles: readonly Role[], bucketSeconds = ENERGY_BUCKET_SECONDS): AudioAnalysis {
  const agent = roles.indexOf('AGENT');
  const visitor = roles.indexOf('VISITOR');
  const analysis: AudioAnalysis = {
    bucketDuration: bucketSeconds,
    agentEnergy: agent >= 0 && energies[agent] ? energies[agent] : [],
    visitorEnergy: visitor >= 0 && energies[visitor] ? energies[visitor] : [],
  };
  const covered = energies.every((_, i) => i === agent || i === visitor);
  if (!covered) analysis.channels = energies.map((energy, index) => ({ index, role: roles[index] ?? 'ROLE_UNSPECIFIED', energy }));
  return analysis;
}
