import type { TranscriptionPayload } from '../audio/transcription-payload.ts';
import { systemCaller } from '../core/tenancy/access.ts';
import { TRANSCRIPTION_QUEUE } from '../core/calls/calls.ts';
import { ParleyError } from '../kernel/errors.ts';
import { ROLES, type JsonObject, type Role } from '../kernel/types.ts';
import type { QueueSpec } from './types.ts';

export { TRANSCRIPTION_QUEUE };

const MINUTE_MS = 60_000;

/** The voice core's payload, checked: a malformed one is a bug, and retrying it cannot help. */
export function parseTranscriptionPayload(payload: JsonObject): TranscriptionPayload | null {
  const { conversationId, audioKey, sampleRateHertz, channels } = payload;
  if (typeof conversationId !== 'string' || typeof audioKey !== 'string' || typeof sampleRateHertz !== 'number' || !Array.isArray(channels)) return null;
  const parsed: TranscriptionPayload['channels'] = [];
  for (const c of channels) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return null;
    if (typeof c.index !== 'number' || !Number.isInteger(c.index) || c.index < 0) return null;
    if (typeof c.role !== 'string' || !(ROLES as readonly string[]).includes(c.role)) return null;
    parsed.push({ index: c.index, role: c.role as Role });
  }
  return { conversationId, audioKey, sampleRateHertz, channels: parsed };
}

/**
 * Transcribes a finished call (enqueued by the voice core at CALL_END, ordered before the
 * conversation's analysis by orderingKey `conversation:<id>`). Idempotent: the transcript and its
 * `completed` status are written in one transaction, and a retry that finds the status does
 * nothing. A recognizer that is down is retried with backoff for a day; then the conversation is
 * marked `failed`. A deleted conversation or recording ends the job quietly.
 */
export const transcriptionQueue: QueueSpec = {
  async handler(job, ctx) {
    const payload = parseTranscriptionPayload(job.payload);
    if (!payload) {
      ctx.log.error({ job: job.id, payload: job.payload }, 'transcription job with a malformed payload; dropped');
      return;
    }
    const caller = systemCaller(job.customerId);
    try {
      const result = await ctx.core.transcripts.transcribeRecording(caller, payload, ctx.signal);
      ctx.log.debug({ job: job.id, conversationId: payload.conversationId, status: result.status, messages: result.messages.length }, 'transcription job finished');
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'NOT_FOUND') {
        // The conversation was deleted meanwhile: nothing left to transcribe.
        ctx.log.info({ job: job.id, conversationId: payload.conversationId }, 'transcription skipped: the conversation is gone');
        return;
      }
      throw err;
    }
  },
  retry: { baseMs: 30_000, maxMs: 30 * MINUTE_MS, giveUpAfterMs: 24 * 60 * MINUTE_MS },
  async onGiveUp(job, error, ctx) {
    const payload = parseTranscriptionPayload(job.payload);
    const detail = error instanceof Error ? error.message : String(error);
    ctx.log.warn({ job: job.id, conversationId: payload?.conversationId, err: detail }, 'transcription given up');
    if (!payload) return;
    await ctx.core.transcripts.recordStatus(systemCaller(job.customerId), payload.conversationId, 'failed', detail).catch((err: unknown) => {
      if (!(err instanceof ParleyError && err.code === 'NOT_FOUND')) throw err;
    });
  },
  // The local recognizer runs at about 5x real time: a 60-minute 2-channel call takes ~25 minutes.
  // No second worker may start it meanwhile (it would only waste the work: the append is idempotent).
  lockMs: 45 * MINUTE_MS,
};
