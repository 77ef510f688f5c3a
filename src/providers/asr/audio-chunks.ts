/**
 * Splits long audio for providers with an upload limit (OpenAI's transcription endpoint takes
 * 25 MB a file: 13 minutes of 16 kHz PCM16). Cuts fall in the quietest 100 ms of the last 20 s
 * before each limit, so a word is rarely cut in half.
 */

const BUCKET_SECONDS = 0.1;
const SEARCH_SECONDS = 20;

export interface AudioSpan {
  /** Sample offsets, end exclusive. */
  start: number;
  end: number;
}

export function splitAtQuietPoints(pcm: Int16Array, sampleRateHertz: number, maxSeconds: number): AudioSpan[] {
  const max = Math.floor(maxSeconds * sampleRateHertz);
  const spans: AudioSpan[] = [];
  let start = 0;
  while (pcm.length - start > max) {
    const limit = start + max;
    const bucket = Math.max(1, Math.round(BUCKET_SECONDS * sampleRateHertz));
    const from = Math.max(start + bucket, limit - Math.floor(SEARCH_SECONDS * sampleRateHertz));
    let cut = limit;
    let quietest = Infinity;
    for (let b = from; b + bucket <= limit; b += bucket) {
      let sum = 0;
      for (let i = b; i < b + bucket; i++) sum += pcm[i] * pcm[i];
      if (sum <= quietest) { // ties go to the latest, keeping chunks long
        quietest = sum;
        cut = b + (bucket >> 1);
      }
    }
    spans.push({ start, end: cut });
    start = cut;
  }
  if (pcm.length > start) spans.push({ start, end: pcm.length });
  return spans;
}
