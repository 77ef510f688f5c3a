import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/api/http.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { signIn } from './agent-fixtures.ts';
import { createConversation, HELP, ndjsonLines } from './agent-turns.ts';

/** The header of a 16 kHz mono PCM16 WAV of `dataBytes`: a recording that starts arriving and then stops. */
function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

forEachDriver('agent surface: a voice upload that stops arriving', (kind) => {
  const ctx = useTestApp(kind);
  let app: App;
  let base: string;

  before(async () => {
    // The idle limit is short here so the test does not wait long; it is what a stalled client meets.
    app = await buildApp({ core: ctx.core, logger: pino({ level: 'silent' }), uploadIdleMs: 200 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app?.close();
  });

  it('is refused with 408 and {detail} once nothing arrives for the idle limit, and nothing is stored', async () => {
    const serviceId = (await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    })).id;
    const token = (await signIn(ctx, ctx.a, 'rider-1')).id_token;
    const created = await ndjsonLines(await createConversation(ctx.app, ctx.a.customerId, token, { service_id: serviceId }));
    const conversationId = created[0].conversation_id as string;
    const snapshot = await ctx.snapshot();

    const declared = 64_000;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/${ctx.a.customerId}/conversation/${conversationId}/interact?request_format=voice&response_format=text`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'audio/wav', 'content-length': String(44 + declared) },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { body += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // A tenth of the recording, then silence on the wire: the request stays open, unfinished.
      req.write(Buffer.concat([wavHeader(declared), Buffer.alloc(declared / 10)]));
    });
    assert.equal(answer.status, 408, answer.body);
    assert.match(JSON.parse(answer.body).detail, /stopped arriving/);
    assert.deepEqual(await ctx.snapshot(), snapshot);
  });
});
