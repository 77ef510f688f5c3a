import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { TestTenant } from '../helpers/app.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertDetail, signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, HELP, interact, ndjsonLines } from './agent-turns.ts';

const HEX = /^[a-f0-9]{24}$/;

forEachDriver('agent surface: feedback on conversations and interactions', (kind) => {
  const ctx = useTestApp(kind);
  let token: string;
  let conversationId: string;
  /** The greeting's interaction and the answer's. */
  const interactions: string[] = [];
  const org = () => ctx.a.customerId;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object, tenant?: TestTenant) => ctx.app.inject({
    method, url: `/v1/${(tenant ?? ctx.a).customerId}${path}`,
    headers: { authorization: `Bearer ${tenant ? tenant.key : token}` },
    ...(payload ? { payload } : {}),
  });
  const onConversation = () => `/conversation/${conversationId}/feedback/`;
  const onInteraction = (i = 1) => `/conversation/${conversationId}/interaction/${interactions[i]}/feedback/`;

  before(async () => {
    token = (await signIn(ctx, ctx.a, 'rider-7')).id_token;
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    });
    const created = await ndjsonLines(await createConversation(ctx.app, org(), token, { service_id: agent.id }));
    conversationId = created[0].conversation_id as string;
    interactions.push(assertPieces(created.slice(1)).interactionId);
    const answered = await ndjsonLines(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'Can I return my bike?' }));
    interactions.push(assertPieces(answered).interactionId);
  });

  it('creates conversation feedback: 201 with the feedback, listed with type=conversation', async () => {
    const res = await call('POST', onConversation(), { comment: '  Helpful and quick  ' });
    assert.equal(res.statusCode, 201, res.body);
    const feedback = res.json();
    assert.match(feedback.id, HEX);
    assert.deepEqual({ ...feedback, id: undefined, created_at: undefined, updated_at: undefined }, {
      id: undefined, conversation_id: conversationId, user_id: 'rider-7', user_org_id: 'acme', created_at: undefined, updated_at: undefined,
      feedback_content: { comment: 'Helpful and quick' },
    });
    const listed = await call('GET', '/conversation/feedback/?type=conversation');
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(listed.json(), { feedbacks: [feedback], has_more: false, continuation_token: null });
    assert.deepEqual((await call('GET', '/conversation/feedback/?type=interaction')).json().feedbacks, []);
  });

  it('updates (204) and deletes (204) conversation feedback; a second delete is 404', async () => {
    const { id } = (await call('POST', onConversation(), { comment: 'Too slow' })).json();
    const updated = await call('PUT', `${onConversation()}${id}`, { comment: 'Fine after all' });
    assert.equal(updated.statusCode, 204, updated.body);
    assert.equal(updated.body, '');
    const listed = (await call('GET', `/conversation/feedback/?type=conversation&conversation_id=${conversationId}&sort_by=-created_at`)).json();
    assert.equal(listed.feedbacks[0].feedback_content.comment, 'Fine after all');
    assert.equal((await call('DELETE', `${onConversation()}${id}`)).statusCode, 204);
    // Each change is an event in the conversation's log (a conversation.updated naming feedback).
    const events = await ctx.database.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM events WHERE conversation_id = $1 AND type = 'FEEDBACK' AND payload ->> 'feedback' = $2 ORDER BY seq`, [conversationId, id],
    );
    assert.deepEqual(events.map((e) => e.payload.change), ['created', 'updated', 'deleted']);
    assertDetail(await call('DELETE', `${onConversation()}${id}`), 404);
    assertDetail(await call('PUT', `${onConversation()}${id}`, { comment: 'again' }), 404);
  });

  it('interaction comments: created unresolved, resolved, then their comment cannot change (409), reopened it can', async () => {
    const res = await call('POST', onInteraction(), { type: 'interaction_comment', comment: 'The refund window is right' });
    assert.equal(res.statusCode, 201, res.body);
    const feedback = res.json();
    assert.deepEqual(feedback.feedback_content, {
      type: 'interaction_comment', interaction_id: interactions[1], comment: 'The refund window is right', resolved: false,
    });
    const path = `${onInteraction()}${feedback.id}`;
    assert.equal((await call('PUT', path, { resolved: true })).statusCode, 204);
    const before = await ctx.snapshot();
    const [stored] = await ctx.database.db.query('SELECT content FROM agent_feedback WHERE id = $1', [feedback.id]);
    assertDetail(await call('PUT', path, { comment: 'Changed my mind' }), 409);
    assertDetail(await call('PUT', path, { comment: 'Changed my mind', resolved: false }), 409);
    assert.deepEqual(await ctx.database.db.query('SELECT content FROM agent_feedback WHERE id = $1', [feedback.id]), [stored]);
    assert.deepEqual(await ctx.snapshot(), before);
    // The same comment is no change; reopening lets it change.
    assert.equal((await call('PUT', path, { comment: 'The refund window is right' })).statusCode, 204);
    assert.equal((await call('PUT', path, { resolved: false })).statusCode, 204);
    assert.equal((await call('PUT', path, { comment: 'Changed my mind' })).statusCode, 204);
    const listed = (await call('GET', `/conversation/feedback/?type=interaction&interaction_id=${interactions[1]}`)).json();
    assert.deepEqual(listed.feedbacks.map((f: { feedback_content: object }) => f.feedback_content), [
      { type: 'interaction_comment', interaction_id: interactions[1], comment: 'Changed my mind', resolved: false },
    ]);
    assert.equal((await call('DELETE', path)).statusCode, 204);
  });

  it('lists with filters, sort and limit + continuation_token paging', async () => {
    for (const [i, comment] of [[0, 'Nice greeting'], [1, 'Correct answer'], [0, 'Could be shorter']] as const) {
      assert.equal((await call('POST', onInteraction(i), { comment })).statusCode, 201);
    }
    const comments = async (query: string) => {
      const res = await call('GET', `/conversation/feedback/?type=interaction&${query}`);
      assert.equal(res.statusCode, 200, `${query} ${res.body}`);
      return res.json();
    };
    assert.deepEqual((await comments('')).feedbacks.map((f: { feedback_content: { comment: string } }) => f.feedback_content.comment),
      ['Nice greeting', 'Correct answer', 'Could be shorter']);
    assert.deepEqual((await comments('sort_by=-created_at')).feedbacks.map((f: { feedback_content: { comment: string } }) => f.feedback_content.comment),
      ['Could be shorter', 'Correct answer', 'Nice greeting']);
    assert.deepEqual((await comments(`interaction_id=${interactions[0]}`)).feedbacks.length, 2);
    const sorted = (await comments('sort_by=feedback_content.interaction_id&sort_by=%2Bcreated_at')).feedbacks
      .map((f: { feedback_content: { interaction_id: string } }) => f.feedback_content.interaction_id);
    assert.deepEqual(sorted, [...sorted].sort());
    const first = await comments('limit=2');
    assert.equal(first.feedbacks.length, 2);
    assert.deepEqual([first.has_more, first.continuation_token], [true, 2]);
    const second = await comments('limit=2&continuation_token=2');
    assert.deepEqual([second.feedbacks.length, second.has_more, second.continuation_token], [1, false, null]);
    assert.equal((await comments('')).feedbacks.length, 3, 'default limit 10 holds all');
  });

  it('refuses bad input with {"detail"} and changes nothing', async () => {
    const before = await ctx.snapshot();
    const missing = '0123456789abcdef01234567';
    const refusals: [number, 'GET' | 'POST' | 'PUT' | 'DELETE', string, object?][] = [
      [422, 'GET', '/conversation/feedback/'],
      [422, 'GET', '/conversation/feedback/?type=everything'],
      [422, 'GET', `/conversation/feedback/?type=conversation&interaction_id=${interactions[0]}`],
      [422, 'GET', '/conversation/feedback/?type=conversation&sort_by=feedback_content.interaction_id'],
      [422, 'GET', '/conversation/feedback/?type=interaction&sort_by=name'],
      [422, 'GET', '/conversation/feedback/?type=interaction&limit=0'],
      [422, 'GET', '/conversation/feedback/?type=interaction&continuation_token=-1'],
      [422, 'GET', '/conversation/feedback/?type=interaction&conversation_id=nope'],
      [422, 'POST', onConversation(), {}],
      [422, 'POST', onConversation(), { comment: '   ' }],
      [422, 'POST', onConversation(), { comment: 'x', resolved: true }],
      [422, 'POST', onConversation(), { comment: 'x'.repeat(10_001) }],
      [422, 'POST', onInteraction(), { type: 'interaction_rating', comment: 'x' }],
      [422, 'POST', `/conversation/nope/feedback/`, { comment: 'x' }],
      [422, 'PUT', `${onInteraction()}${missing}`, {}],
      [422, 'PUT', `${onConversation()}nope`, { comment: 'x' }],
      [404, 'POST', `/conversation/${missing}/feedback/`, { comment: 'x' }],
      [404, 'POST', `/conversation/${conversationId}/interaction/${missing}/feedback/`, { comment: 'x' }],
      [404, 'PUT', `${onConversation()}${missing}`, { comment: 'x' }],
      [404, 'DELETE', `${onInteraction()}${missing}`],
    ];
    for (const [status, method, path, payload] of refusals) assertDetail(await call(method, path, payload), status, `${method} ${path}`);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('keeps feedback to its organization: another customer\'s is 404 and lists none of it', async () => {
    const { id } = (await call('POST', onConversation(), { comment: 'Mine' })).json();
    const before = await ctx.snapshot();
    const other = ctx.b;
    assertDetail(await call('GET', '/conversation/feedback/?type=conversation', undefined, { ...other, customerId: 'acme' }), 404);
    assertDetail(await call('POST', `/conversation/${conversationId}/feedback/`, { comment: 'Theirs' }, other), 404);
    assertDetail(await call('PUT', `/conversation/${conversationId}/feedback/${id}`, { comment: 'Theirs' }, other), 404);
    assertDetail(await call('DELETE', `/conversation/${conversationId}/feedback/${id}`, undefined, other), 404);
    const theirs = await call('GET', '/conversation/feedback/?type=conversation', undefined, other);
    assert.deepEqual(theirs.json(), { feedbacks: [], has_more: false, continuation_token: null });
    // A key narrowed to another profile sees none of this profile's conversations' feedback.
    const narrowed = await call('GET', '/conversation/feedback/?type=conversation', undefined, ctx.aSupport);
    assert.deepEqual(narrowed.json().feedbacks, []);
    assertDetail(await call('DELETE', `/conversation/${conversationId}/feedback/${id}`, undefined, ctx.aSupport), 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});
