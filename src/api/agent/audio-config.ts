import { invalidArgument } from '../../kernel/errors.ts';
import type { RecordingHints } from '../../audio/voice-recording.ts';

/** Amigo's PCM `frame_rate` range [vendor]. */
const FRAME_RATE = { min: 4000, max: 44100 };
const FIELD = 'request_audio_config';

/**
 * Amigo's `request_audio_config` query parameter (JSON: `{"type": "mp3"}` or `{"type": "pcm",
 * "frame_rate", "n_channels": 1, "sample_width": 2 | 4}`) with the body's content type, as what
 * the core's recording reader needs to know. A config that is not one of those is a validation
 * error (422), as Amigo's schema makes it.
 */
export function recordingHintsOf(contentType: string | undefined, config: string | undefined): RecordingHints {
  if (config === undefined || config === '' || config === 'null') return { contentType };
  let parsed: unknown;
  try {
    parsed = JSON.parse(config);
  } catch {
    throw invalidArgument(FIELD, 'must be JSON: {"type": "mp3"} or {"type": "pcm", "frame_rate": …, "n_channels": 1, "sample_width": 2}');
  }
  const c = (parsed ?? {}) as Record<string, unknown>;
  if (c.type === 'mp3' && Object.keys(c).every((k) => k === 'type')) return { contentType, mp3: true };
  if (c.type !== 'pcm') throw invalidArgument(FIELD, 'type must be "mp3" or "pcm"');
  const unknown = Object.keys(c).filter((k) => !['type', 'frame_rate', 'n_channels', 'sample_width'].includes(k));
  if (unknown.length) throw invalidArgument(FIELD, `unknown field ${unknown[0]}`);
  const rate = c.frame_rate;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < FRAME_RATE.min || rate > FRAME_RATE.max) {
    throw invalidArgument(FIELD, `frame_rate must be an integer from ${FRAME_RATE.min} to ${FRAME_RATE.max}`);
  }
  if (c.n_channels !== 1) throw invalidArgument(FIELD, 'n_channels must be 1');
  if (c.sample_width !== 2 && c.sample_width !== 4) throw invalidArgument(FIELD, 'sample_width must be 2 or 4');
  return { contentType, pcm: { sampleRateHertz: rate, sampleWidth: c.sample_width } };
}
