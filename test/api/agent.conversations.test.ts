import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext } from '../helpers/app.ts';
import { agentClient, assertDetail, assertVendorBody, signIn } from './agent-fixtures.ts';

const CRESTA = '/v1/customers/acme/profiles/default/conversations';
const LIST = { path: '/v1/{organization}/conversation/', method: 'get', status: 200 };
const MESSAGES = { path: '/v1/{organization}/conversation/{conversation_id}/messages/', method: 'get', status: 200 };

async function cresta(ctx: TestContext, method: 'POST' | 'GET', url: string, payload?: object) {
  const res = await ctx.app.inject({ method, url, headers: ctx.a.auth, ...(payload ? { payload } : {}) });
  assert.equal(res.statusCode, 200, `${url} ${res.body}`);
  return res.json();
}

async function ingest(ctx: TestContext, url: string, payload: object) {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: ctx.a.auth, payload });
  assert.ok(res.statusCode === 200 || res.statusCode === 201, `${url} ${res.body}`);
  return res.json();
}

forEachDriver('agent surface: conversations and messages over the one core', (kind) => {
  const ctx = useTestApp(kind);
  const api = agentClient(ctx, () => ctx.a, () => token);
  let token: string;
  /** alice's conversation (conversations surface, closed), bob's (open) and the ingest one (with an agent). */
  const ids = { alice: '', bob: '', ingested: '' };
  let agentId: string;

  before(async () => {
    token = (await signIn(ctx, ctx.a, 'reader')).id_token;
    const alice = await cresta(ctx, 'POST', `${CRESTA}/alice-1:start`, { visitor: { externalUserId: 'alice' } });
    ids.alice = alice.uid;
    await cresta(ctx, 'POST', `${CRESTA}/alice-1:upsertMetadata`, { metadataValues: { topic: { values: ['billing'] }, tier: { values: ['gold'] } } });
    await cresta(ctx, 'POST', `/v1/${alice.name}/conversationMessages`, { text: 'My bill is wrong', speaker: 'VISITOR' });
    await cresta(ctx, 'POST', `/v1/${alice.name}/conversationMessages`, { text: 'Let me look', speaker: 'AGENT', speakerInfo: { displayName: 'Sam' } });
    await cresta(ctx, 'POST', `/v1/${alice.name}/conversationMessages`, { text: 'Transferred', speaker: 'SYSTEM' });
    await cresta(ctx, 'POST', `/v1/${alice.name}:close`, {});
    const bob = await cresta(ctx, 'POST', `${CRESTA}/bob-1:start`, { visitor: { externalUserId: 'bob' } });
    ids.bob = bob.uid;
    await cresta(ctx, 'POST', `${CRESTA}/bob-1:upsertMetadata`, { metadataValues: { topic: { values: ['shipping'] } } });
    const prompt = await ingest(ctx, '/prompts', { name: 'Support bot', content: 'You help.' });
    agentId = prompt.id.replace(/^prompt_/, '');
    const logged = await ingest(ctx, '/conversations', { promptId: prompt.id, content: 'User: Where is my parcel?\nAssistant: It left today.', status: 'active' });
    ids.ingested = logged.id.replace(/^conv_/, '');
  });

  it('lists conversations from every surface, newest first, in the vendor\'s shape', async () => {
    const res = await api.get('/conversation/');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    await assertVendorBody(body, LIST);
    assert.deepEqual(body.conversations.map((c: { id: string }) => c.id), [ids.ingested, ids.bob, ids.alice]);
    assert.equal(body.has_more, false);
    assert.equal(body.continuation_token, null);
    const alice = body.conversations[2];
    assert.deepEqual({ ...alice, created_at: undefined }, {
      id: ids.alice, user_id: 'alice', created_at: undefined, is_finished: true, is_analyzed: false, completed_post_processings: [],
      final_message: 'Transferred', service_id: '', version_set_info: null, num_messages: 3, tags: { topic: 'billing', tier: 'gold' },
    });
    const ingested = body.conversations[0];
    assert.equal(ingested.service_id, agentId);
    assert.equal(ingested.final_message, 'It left today.');
    assert.equal(ingested.num_messages, 2);
    assert.equal(ingested.is_finished, false);
  });

  it('filters by user, agent, finished, id and tag (with * and repeated keys), and sorts by created_at', async () => {
    const idsOf = async (query: string) => {
      const res = await api.get(`/conversation/?${query}`);
      assert.equal(res.statusCode, 200, `${query} ${res.body}`);
      await assertVendorBody(res.json(), LIST);
      return res.json().conversations.map((c: { id: string }) => c.id);
    };
    assert.deepEqual(await idsOf('user_id=alice'), [ids.alice]);
    assert.deepEqual(await idsOf('user_id=alice&user_id=bob'), [ids.bob, ids.alice]);
    assert.deepEqual(await idsOf(`service_id=${agentId}`), [ids.ingested]);
    assert.deepEqual(await idsOf('is_finished=true'), [ids.alice]);
    assert.deepEqual(await idsOf('is_finished=false'), [ids.ingested, ids.bob]);
    assert.deepEqual(await idsOf(`id=${ids.bob}&id=${ids.alice}`), [ids.bob, ids.alice]);
    assert.deepEqual(await idsOf('tag=topic:billing'), [ids.alice]);
    assert.deepEqual(await idsOf('tag=topic:*'), [ids.bob, ids.alice]);
    assert.deepEqual(await idsOf('tag=tier:gold&tag=topic:shipping'), [ids.bob, ids.alice]);
    assert.deepEqual(await idsOf('tag=topic:nothing'), []);
    assert.deepEqual(await idsOf('sort_by=%2Bcreated_at'), [ids.alice, ids.bob, ids.ingested]);
    assert.deepEqual(await idsOf('sort_by=+created_at'), [ids.alice, ids.bob, ids.ingested], 'an unencoded + arrives as a space');
    assert.deepEqual(await idsOf('sort_by=-created_at'), [ids.ingested, ids.bob, ids.alice]);
    assert.deepEqual(await idsOf('user_id=alice&is_finished=false'), []);
  });

  it('pages with limit and the integer continuation_token', async () => {
    const seen: string[] = [];
    let query = 'limit=1';
    for (let pages = 0; pages < 10; pages++) {
      const res = await api.get(`/conversation/?${query}`);
      const body = res.json();
      await assertVendorBody(body, LIST);
      seen.push(...body.conversations.map((c: { id: string }) => c.id));
      if (!body.has_more) {
        assert.equal(body.continuation_token, null);
        break;
      }
      assert.equal(typeof body.continuation_token, 'number');
      query = `limit=1&continuation_token=${body.continuation_token}`;
    }
    assert.deepEqual(seen, [ids.ingested, ids.bob, ids.alice]);
  });

  it('gets one conversation by its id with the agent\'s name; the id is the one every surface shows', async () => {
    const res = await api.get(`/conversation/${ids.ingested}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    await assertVendorBody(body, { component: 'ConversationInstance' });
    assert.equal(body.agent_name, 'Support bot');
    assert.equal(body.agent_pfp, null);
    const alice = (await api.get(`/conversation/${ids.alice}`)).json();
    await assertVendorBody(alice, { component: 'ConversationInstance' });
    assert.equal(alice.agent_name, null);
    const crestaView = await cresta(ctx, 'GET', `${CRESTA}/${ids.alice}`);
    assert.equal(crestaView.uid ?? crestaView.conversation?.uid, ids.alice);
  });

  it('lists messages with their types, interactions and senders, filtered, sorted and paged', async () => {
    const res = await api.get(`/conversation/${ids.alice}/messages/`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    await assertVendorBody(body, MESSAGES);
    assert.deepEqual(body.messages.map((m: Record<string, unknown>) => [m.message, m.message_type, m.sender, m.format, m.interaction_id === m.id]), [
      ['My bill is wrong', 'user-message', 'user', 'text', true],
      ['Let me look', 'agent-message', 'Sam', 'text', true],
      ['Transferred', 'external-event', 'system', 'text', true],
    ]);
    assert.deepEqual([body.has_more, body.continuation_token], [false, null]);
    const texts = async (query: string) => {
      const page = await api.get(`/conversation/${ids.alice}/messages/?${query}`);
      assert.equal(page.statusCode, 200, `${query} ${page.body}`);
      await assertVendorBody(page.json(), MESSAGES);
      return page.json().messages.map((m: { message: string }) => m.message);
    };
    const [first, second] = body.messages;
    assert.deepEqual(await texts('message_type=user-message'), ['My bill is wrong']);
    assert.deepEqual(await texts('message_type=user-message&message_type=external-event'), ['My bill is wrong', 'Transferred']);
    assert.deepEqual(await texts('message_type=agent-inner-thought'), []);
    assert.deepEqual(await texts(`id=${second.id}`), ['Let me look']);
    assert.deepEqual(await texts(`interaction_id=${first.id}`), ['My bill is wrong']);
    assert.deepEqual(await texts('sort_by=-created_at'), ['Transferred', 'Let me look', 'My bill is wrong']);
    assert.deepEqual(await texts('sort_by=-timestamp'), ['Transferred', 'Let me look', 'My bill is wrong']);
    assert.deepEqual(await texts('sort_by=%2Bcreated_at&sort_by=interaction_id'), ['My bill is wrong', 'Let me look', 'Transferred']);
    const page1 = (await api.get(`/conversation/${ids.alice}/messages/?limit=2`)).json();
    assert.deepEqual([page1.messages.length, page1.has_more, page1.continuation_token], [2, true, 2]);
    assert.deepEqual(await texts('limit=2&continuation_token=2'), ['Transferred']);
    assert.deepEqual(await texts(`limit=2&continuation_token=2`), ['Transferred']);
    const ingested = (await api.get(`/conversation/${ids.ingested}/messages/`)).json();
    assert.deepEqual(ingested.messages.map((m: { message_type: string }) => m.message_type), ['user-message', 'agent-message']);
  });

  it('answers bad input with 422 {"detail"} naming the parameter, and changes nothing', async () => {
    const before = await ctx.snapshot();
    const cases: [string, RegExp][] = [
      ['/conversation/not-an-id', /conversation_id/],
      [`/conversation/${ids.alice.toUpperCase()}`, /conversation_id/],
      ['/conversation/?service_id=xyz', /service_id/],
      ['/conversation/?id=123', /id/],
      ['/conversation/?limit=0', /limit/],
      ['/conversation/?limit=151', /limit/],
      ['/conversation/?continuation_token=-1', /continuation_token/],
      ['/conversation/?continuation_token=abc', /continuation_token/],
      ['/conversation/?continuation_token=10001', /continuation_token/],
      ['/conversation/?sort_by=name', /sort_by/],
      ['/conversation/?tag=nocolon', /tag/],
      ['/conversation/?is_finished=maybe', /is_finished/],
      ['/conversation/?bogus=1', /bogus/],
      [`/conversation/${ids.alice}/messages/?message_type=robot`, /message_type/],
      [`/conversation/${ids.alice}/messages/?limit=501`, /limit/],
      [`/conversation/${ids.alice}/messages/?sort_by=seq`, /sort_by/],
      [`/conversation/${ids.alice}/messages/?interaction_id=x`, /interaction_id/],
    ];
    for (const [path, field] of cases) assert.match(assertDetail(await api.get(path), 422, path), field, path);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('answers unknown conversations and paths with 404, other methods with 405, a bad URL in its own shape', async () => {
    assertDetail(await api.get('/conversation/0123456789abcdef01234567'), 404);
    assertDetail(await api.get('/conversation/0123456789abcdef01234567/messages/'), 404);
    assertDetail(await api.get('/nothing/here'), 404);
    const other = await ctx.app.inject({ method: 'DELETE', url: `/v1/acme/conversation/${ids.alice}`, headers: { authorization: `Bearer ${token}` } });
    assertDetail(other, 405);
    assert.match(String(other.headers.allow), /GET/);
    const badUrl = await ctx.app.inject({ method: 'GET', url: '/v1/acme/conversation/%E0%A4%A', headers: { authorization: `Bearer ${token}` } });
    assertDetail(badUrl, 422);
  });

  it('shows a key narrowed to a profile only that profile\'s conversations, and another customer none', async () => {
    const narrowed = await agentClient(ctx, () => ctx.aSupport).get('/conversation/');
    assert.deepEqual(narrowed.json().conversations, []);
    assertDetail(await agentClient(ctx, () => ctx.aSupport).get(`/conversation/${ids.alice}`), 404);
    const theirs = await agentClient(ctx, () => ctx.b).get('/conversation/');
    assert.deepEqual(theirs.json().conversations, []);
    assertDetail(await agentClient(ctx, () => ctx.b).get(`/conversation/${ids.alice}`), 404);
  });

  it('leaves the other surfaces\' paths under /v1 to them', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/customers/acme/nothing', headers: ctx.a.auth });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 5, 'google.rpc NOT_FOUND, not the agent surface\'s shape');
    const got = await ctx.app.inject({ method: 'GET', url: `${CRESTA}/alice-1`, headers: ctx.a.auth });
    assert.equal(got.statusCode, 200, got.body);
    const unknownVerb = await ctx.app.inject({ method: 'GET', url: '/v1/conversations/nothing', headers: ctx.a.auth });
    assert.equal(unknownVerb.json().code, 5, unknownVerb.body);
  });
});
