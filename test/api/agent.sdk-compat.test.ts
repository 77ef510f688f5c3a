import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertDetail, signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, HELP, ndjsonLines } from './agent-turns.ts';

/*
 * What Amigo's official TypeScript SDK (@amigo-ai/sdk 1.0.0) sends, where Parley answered in a
 * way the SDK could not use; one regression test each.
 */
forEachDriver('agent surface: as Amigo\'s TypeScript SDK sends it', (kind) => {
  const ctx = useTestApp(kind);
  let token: string;
  let conversationId: string;
  const org = () => ctx.a.customerId;

  before(async () => {
    token = (await signIn(ctx, ctx.a, 'sdk-rider')).id_token;
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    });
    const created = await createConversation(ctx.app, org(), token, { service_id: agent.id, service_version_set_name: 'release' });
    assert.equal(created.statusCode, 201, created.body);
    const lines = await ndjsonLines(created);
    conversationId = lines[0].conversation_id as string;
    assertPieces(lines.slice(1));
  });

  it('a voice recording of a type no route reads (the SDK sends the bytes with their Blob\'s type) is 415 with a {"detail"} string, not 422 "send application/json"; nothing changes', async () => {
    const before = await ctx.snapshot();
    const recording = Buffer.alloc(64, 1);
    for (const type of ['audio/ogg', 'audio/webm;codecs=opus']) {
      const res = await ctx.app.inject({
        method: 'POST', url: `/v1/${org()}/conversation/${conversationId}/interact?request_format=voice&response_format=text`,
        headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson', 'content-type': type }, payload: recording,
      });
      const detail = assertDetail(res, 415, type);
      assert.ok(detail.startsWith(`unsupported Content-Type ${type}:`), detail);
      assert.doesNotMatch(detail, /send application\/json$/, 'JSON is not what a voice interaction should send');
    }
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('a JSON route given a body type no route reads is 415 too, changing nothing', async () => {
    const before = await ctx.snapshot();
    const res = await ctx.app.inject({
      method: 'POST', url: `/v1/${org()}/conversation/?response_format=text`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' }, payload: '<service_id>nope</service_id>',
    });
    assertDetail(res, 415);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});
