import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWav } from '../../../src/audio/wav.ts';

/**
 * A local stand-in for an OpenAI-compatible transcription server (`POST /v1/audio/transcriptions`,
 * multipart/form-data, `response_format=verbose_json`), which CI cannot reach. It parses the
 * multipart body with the platform's own parser, decodes the WAV it was sent, and answers with
 * segments derived from the audio itself: one segment per stretch of non-silence, whose text is
 * `tone <n>` for the n-th stretch — so the test checks what really went over the wire.
 */
export interface AsrDouble {
  baseUrl: string;
  requests: { model: string; responseFormat: string; language: string | null; sampleRateHertz: number; channels: number; seconds: number; authorization: string }[];
  /** The next N requests answer with this HTTP status. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startAsrDouble(apiKey: string): Promise<AsrDouble> {
  const requests: AsrDouble['requests'] = [];
  let failures: { status: number; times: number } | null = null;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }));
      return;
    }
    if (failures && failures.times > 0) {
      failures.times--;
      res.writeHead(failures.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded' } }));
      return;
    }
    const form = await new Request('http://double/', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: Buffer.concat(chunks) }).formData();
    const file = form.get('file');
    if (!(file instanceof Blob)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "'file' is required" } }));
      return;
    }
    const wav = decodeWav(Buffer.from(await file.arrayBuffer()));
    const pcm = wav.channels[0];
    const rate = wav.sampleRateHertz;
    requests.push({
      model: String(form.get('model')),
      responseFormat: String(form.get('response_format')),
      language: form.get('language') === null ? null : String(form.get('language')),
      sampleRateHertz: rate,
      channels: wav.channels.length,
      seconds: pcm.length / rate,
      authorization: req.headers.authorization!,
    });
    // Stretches of |sample| > 1000, in 10 ms steps.
    const step = rate / 100;
    const segments: { id: number; start: number; end: number; text: string }[] = [];
    let open: number | null = null;
    for (let i = 0; i <= pcm.length; i += step) {
      let loud = false;
      for (let j = i; j < Math.min(i + step, pcm.length); j++) if (Math.abs(pcm[j]) > 1000) loud = true;
      if (loud && open === null) open = i;
      if (!loud && open !== null) {
        segments.push({ id: segments.length, start: open / rate, end: i / rate, text: ` tone ${segments.length + 1}` });
        open = null;
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      task: 'transcribe',
      language: 'english',
      duration: pcm.length / rate,
      text: segments.map((s) => s.text).join(''),
      segments,
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext(status, times = 1) {
      failures = { status, times };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `bursts` of a 440 Hz tone at the given [start, end) seconds, silence elsewhere. */
export function tonesAt(sampleRateHertz: number, seconds: number, bursts: [number, number][]): Int16Array {
  const pcm = new Int16Array(Math.round(seconds * sampleRateHertz));
  for (const [start, end] of bursts) {
    for (let i = Math.round(start * sampleRateHertz); i < Math.round(end * sampleRateHertz); i++) {
      pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRateHertz));
    }
  }
  return pcm;
}
