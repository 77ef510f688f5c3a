import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ParleyError } from '../../../kernel/errors.ts';
import { renderStatus } from '../../kit/google/status.ts';
import { ConversationParams, ErrorResponse } from '../../kit/google/schemas.ts';
import type { OperationOverride } from '../../kit/openapi/types.ts';
import type { VoiceSurfaceOptions } from '../index.ts';

/** An HTTP byte range: `start`–`end` inclusive (end absent: to the end), or the last `suffix` bytes. */
export interface ByteRangeRequest {
  start?: number;
  end?: number;
  suffix?: number;
}

/**
 * `Range: bytes=a-b | a- | -n`. Several ranges, or a header that does not parse, are ignored and
 * the whole recording is sent, as RFC 9110 allows.
 */
export function parseRange(header: string | undefined): ByteRangeRequest | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') return { suffix: Number(match[2]) };
  const range: ByteRangeRequest = { start: Number(match[1]) };
  if (match[2] !== '') range.end = Number(match[2]);
  if (range.end !== undefined && range.end < range.start!) return undefined;
  return range;
}

/** The bytes a range asks of a recording of `size` bytes; one that starts past the end is OUT_OF_RANGE with the size. */
export function resolveRange(range: ByteRangeRequest, size: number): { start: number; end: number } {
  const start = range.suffix !== undefined ? Math.max(0, size - range.suffix) : (range.start ?? 0);
  const end = range.suffix !== undefined ? size - 1 : Math.min(range.end ?? size - 1, size - 1);
  if (start >= size || end < start || range.suffix === 0) {
    throw new ParleyError('OUT_OF_RANGE', `the range cannot be satisfied: the recording has ${size} bytes`, { size });
  }
  return { start, end };
}

const status = (description: string) => ({ description, content: { 'application/json': { schema: ErrorResponse } } });
const wav = { 'audio/wav': {} };

/** What the route's schema cannot say: a binary answer, whole or a range of it. */
const recordingDocs: OperationOverride = {
  parameters: [{ name: 'Range', in: 'header', required: false, description: 'bytes=a-b, bytes=a- or bytes=-n (one range)', schema: { type: 'string' } }],
  responses: {
    200: { description: 'The whole recording', headers: { 'Accept-Ranges': { schema: { type: 'string' } } }, content: wav },
    206: { description: 'The range asked for', headers: { 'Content-Range': { schema: { type: 'string' } } }, content: wav },
    401: status('Unauthorized'),
    403: status('Forbidden'),
    404: status('Not Found: no such conversation, or it has no recording'),
    416: { ...status('Range Not Satisfiable'), headers: { 'Content-Range': { description: 'bytes */<size>', schema: { type: 'string' } } } },
  },
};

/** The call's recording as WAV, with Range support (206, Content-Range, 416). [Parley] */
export async function recordingRoutes(app: FastifyInstance, { core }: VoiceSurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/customers/:customer/profiles/:profile/conversations/:conversation/audio', {
    config: { permission: 'Conversation:GetConversationAudio', openapi: recordingDocs },
    schema: {
      tags: ['VoiceCallSessionService'],
      operationId: 'VoiceCallSessionService_GetConversationAudio', summary: 'The recording of a voice conversation (audio/wav; Range requests answer 206)',
      params: ConversationParams,
    },
  }, async (request, reply) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const range = parseRange(request.headers.range);
    try {
      const recording = await core.calls.recording(ref);
      const blob = range ? await recording.read(resolveRange(range, await recording.size())) : await recording.read();
      reply.header('accept-ranges', 'bytes').type(blob.contentType || 'audio/wav');
      if (blob.range) {
        reply.code(206).header('content-range', `bytes ${blob.range.start}-${blob.range.end}/${blob.size}`);
        reply.header('content-length', blob.range.end - blob.range.start + 1);
      } else {
        reply.header('content-length', blob.size);
      }
      return reply.send(blob.body);
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== 'OUT_OF_RANGE' || typeof err.details.size !== 'number') throw err;
      return reply.code(416).header('content-range', `bytes */${err.details.size}`).send(renderStatus(err, request.id));
    }
  });
}
