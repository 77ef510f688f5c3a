import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import pino from 'pino';
import { parseWireId, wireId } from '../../src/api/support/ids.ts';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { agentKey, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';

type Json = Record<string, unknown>;
type Handoff = { mode: string; pendingQuestions: { message: string; text: string; createTime: string }[] };
const DEFAULT = 'customers/acme/profiles/default/conversations';
const everywhere = { customerId: 'acme', profileId: null, agentId: null, what: 'agent' };

forEachDriver('console API: the handoff on the conversations surface', (kind) => {
  const ctx = useTestApp(kind);
  let support: SupportCall;
  let deskKey: string;

  const call = (method: 'GET' | 'POST', url: string, payload?: object, headers: Json = ctx.a.auth) =>
    ctx.app.inject({ method, url: `/v1/${url}`, headers: headers as Record<string, string>, ...(payload === undefined ? {} : { payload }) });
  const count = async (table: string) => (await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const refused = async (res: { statusCode: number; body: string; json(): Json }, status: number, code: number, field?: string) => {
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().code, code, res.body);
    if (field) assert.match(res.body, new RegExp(`"field":"${field}"`), res.body);
    return res.json();
  };
  const jobs = async () => {
    const runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 5 });
    try {
      await runner.drain();
    } finally {
      await runner.stop();
    }
  };

  /** A support desk conversation of the agent: its id on the support surface, and its name here. */
  async function deskConversation(user: string): Promise<{ id: string; name: string }> {
    const res = await support('POST', '/conversations', { conversationUserId: user });
    assert.equal(res.statusCode, 201, res.body);
    return { id: res.json().id, name: `${DEFAULT}/${res.json().aiConversationId}` };
  }

  before(async () => {
    const agentId = await supportAgent(ctx);
    // A question the knowledge cannot answer goes to a human.
    await ctx.core.agents.update(everywhere, agentId, { handOff: true });
    await ctx.core.agents.release(everywhere, agentId);
    deskKey = await agentKey(ctx, agentId);
    support = supportCall(ctx, deskKey);
  });

  it("shows the support desk's pending question; a human's answer here completes it for the support surface's poll", async () => {
    const { id, name } = await deskConversation('rider-1');
    const asked = await support('POST', `/conversations/${id}/messages/async`, { message: 'Do you sell spaceships?' });
    assert.equal(asked.statusCode, 201, asked.body);
    await jobs();
    const poll = async () => (await support('GET', `/conversations/${id}/messages/${asked.json().id}/response-on`)).json();
    assert.equal((await poll()).status, 'pending');

    const handoff = (await call('GET', `${name}/handoff`)).json() as Handoff;
    assert.equal(handoff.mode, 'MANUAL');
    assert.equal(handoff.pendingQuestions.length, 1);
    const [question] = handoff.pendingQuestions;
    assert.equal(question.message, `${name}/messages/${parseWireId(asked.json().id)}`);
    assert.equal(question.text, 'Do you sell spaceships?');
    assert.match(question.createTime, /^\d{4}-\d{2}-\d{2}T/);

    const reply = await call('POST', `${name}:sendHumanReply`, { text: 'We do not, sorry!', question: question.message });
    assert.equal(reply.statusCode, 200, reply.body);
    assert.deepEqual([reply.json().text, reply.json().speaker], ['We do not, sorry!', 'AGENT']);
    assert.match(reply.json().name, new RegExp(`^${name}/messages/[a-f0-9]{24}$`));
    const done = await poll();
    assert.equal(done.status, 'completed');
    assert.equal(done.message.id, wireId(reply.json().name.split('/').pop()));
    assert.deepEqual([done.message.message, done.message.senderRole], ['We do not, sorry!', 'manual_assistant']);
    assert.deepEqual(((await call('GET', `${name}/handoff`)).json() as Handoff).pendingQuestions, []);

    // An answer without a question is a message too; back to AI, the agent answers again.
    assert.equal((await call('POST', `${name}:sendHumanReply`, { text: 'Anything else?' })).statusCode, 200);
    assert.deepEqual((await call('POST', `${name}:updateMode`, { mode: 'AI' })).json(), { mode: 'AI' });
    assert.equal((await support('GET', `/conversations/${id}`)).json().mode, 'ai');
    assert.equal((await support('POST', `/conversations/${id}/messages`, { message: 'Can I return my bike?' })).json().senderRole, 'assistant');
  });

  it('changes the mode through the lifecycle: a CONVERSATION_TRANSFER each way, the same mode a no-op, a closed conversation refused', async () => {
    const started = await call('POST', `${DEFAULT}/modes:start`, {});
    assert.equal(started.statusCode, 200, started.body);
    const transfers = async () => ((await call('GET', `${DEFAULT}/modes/events?pageSize=100`)).json().conversationEvents as Json[])
      .filter((e) => e.type === 'CONVERSATION_TRANSFER').map((e) => (e.payload as Json).to);
    assert.equal(((await call('GET', `${DEFAULT}/modes/handoff`)).json() as Handoff).mode, 'AI');
    assert.deepEqual((await call('POST', `${DEFAULT}/modes:updateMode`, { mode: 'MANUAL' })).json(), { mode: 'MANUAL' });
    assert.deepEqual((await call('POST', `${DEFAULT}/modes:updateMode`, { mode: 'MANUAL' })).json(), { mode: 'MANUAL' });
    assert.deepEqual(await transfers(), ['MANUAL']);
    // The uid addresses it as well as the chosen name.
    assert.equal((await call('POST', `${DEFAULT}/${started.json().uid}:updateMode`, { mode: 'AI' })).statusCode, 200);
    assert.deepEqual(await transfers(), ['MANUAL', 'AI']);
    assert.equal((await call('POST', `${DEFAULT}/modes:close`, {})).statusCode, 200);
    const events = await count('events');
    await refused(await call('POST', `${DEFAULT}/modes:updateMode`, { mode: 'MANUAL' }), 400, 9);
    await refused(await call('POST', `${DEFAULT}/modes:updateMode`, { mode: 'HUMAN' }), 400, 3);
    await refused(await call('POST', `${DEFAULT}/modes:updateMode`, {}), 400, 3);
    assert.equal(await count('events'), events);
  });

  it('refuses a human answer unless manual and not a call, or naming a message of another conversation, and writes nothing', async () => {
    const ai = (await call('POST', `${DEFAULT}/replies:start`, {})).json();
    const other = (await call('POST', `${DEFAULT}/elsewhere:start`, {})).json();
    const otherMessage = (await call('POST', `${other.name}/conversationMessages`, { text: 'hello', speaker: 'VISITOR' })).json().name;
    const voice = (await call('POST', `${DEFAULT}/voice-call:start`, { channel: 'VOICE' })).json();
    await call('POST', `${voice.name}:updateMode`, { mode: 'MANUAL' });
    const before = [await count('messages'), await count('events')];
    const notManual = await refused(await call('POST', `${ai.name}:sendHumanReply`, { text: 'hi' }), 400, 9);
    assert.match(String(notManual.message), /manual mode and not a voice conversation/);
    await refused(await call('POST', `${voice.name}:sendHumanReply`, { text: 'hi' }), 400, 9);
    await call('POST', `${ai.name}:updateMode`, { mode: 'MANUAL' });
    const after = [await count('messages'), await count('events')];
    const cases: [object, string][] = [
      [{ text: 'hi', question: otherMessage }, 'question'],
      [{ text: 'hi', question: 'not a name' }, 'question'],
      [{ text: 'hi', question: `${ai.name}/messages/${'0'.repeat(24)}` }, 'question'],
      [{ text: 'hi', question: `customers/globex/profiles/default/conversations/replies/messages/${'0'.repeat(24)}` }, 'question'],
      [{ text: '   ' }, 'text'],
      [{ text: '' }, ''],
      [{ text: 'hi', speaker: 'AGENT' }, ''],
    ];
    for (const [body, field] of cases) await refused(await call('POST', `${ai.name}:sendHumanReply`, body), 400, 3, field || undefined);
    assert.deepEqual([await count('messages'), await count('events')], after);
    assert.equal(after[1], before[1] + 1, 'only the handoff was written');
  });

  it("is NOT_FOUND for another customer, another profile's key and another agent's key; the agent's own key reaches it", async () => {
    const { name } = await deskConversation('rider-tenancy');
    const otherAgent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, { name: 'Other desk' });
    const otherKey = { authorization: `Bearer ${await agentKey(ctx, otherAgent.id)}` };
    const own = { authorization: `Bearer ${deskKey}` };
    assert.equal((await call('GET', `${name}/handoff`, undefined, own)).statusCode, 200);
    const before = [await count('messages'), await count('events')];
    for (const headers of [ctx.b.auth, ctx.aSupport.auth, otherKey]) {
      await refused(await call('GET', `${name}/handoff`, undefined, headers), 404, 5);
      await refused(await call('POST', `${name}:updateMode`, { mode: 'MANUAL' }, headers), 404, 5);
      await refused(await call('POST', `${name}:sendHumanReply`, { text: 'hi' }, headers), 404, 5);
    }
    assert.deepEqual([await count('messages'), await count('events')], before);
    assert.deepEqual((await call('POST', `${name}:updateMode`, { mode: 'MANUAL' }, own)).json(), { mode: 'MANUAL' });
    assert.equal((await call('POST', `${name}:sendHumanReply`, { text: 'A human here.' }, own)).statusCode, 200);
  });
});
