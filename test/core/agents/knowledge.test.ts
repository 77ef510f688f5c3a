import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../../helpers/db.ts';
import { useCore } from '../../helpers/core.ts';
import { chunkDocument, CHUNKING } from '../../../src/core/agents/chunking.ts';
import { ParleyError } from '../../../src/kernel/errors.ts';
import type { AgentScope } from '../../../src/core/agents/agents.ts';
import { HELP, WARRANTY } from './harbor-help.ts';

const scope: AgentScope = { customerId: 'acme', profileId: null, what: 'agent' };

function refusedAs(code: string) {
  return (err: unknown) => err instanceof ParleyError && err.code === code;
}

it('chunking: markdown by heading path, paragraphs gathered, long text cut with overlap', () => {
  const chunks = chunkDocument(HELP, true);
  assert.deepEqual(chunks.map((c) => c.heading), [
    'Harbor Bikes help › Opening hours', 'Harbor Bikes help › Returns and refunds', 'Harbor Bikes help › Servicing',
  ]);
  assert.match(chunks[1].body, /^You can return a bike within 30 days/);

  const long = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} says something about topic ${i}.`).join(' ');
  const cut = chunkDocument(long, false);
  assert.ok(cut.length > 1);
  for (const c of cut) assert.ok(c.body.length <= CHUNKING.maxChars, `${c.body.length} chars`);
  // Each passage after the first starts with the end of the one before it.
  for (let i = 1; i < cut.length; i++) {
    const head = cut[i].body.split('\n\n')[0];
    assert.ok(cut[i - 1].body.endsWith(head), `passage ${i} repeats the end of passage ${i - 1}`);
  }
  // A heading inside a code fence is text, not a section.
  assert.deepEqual(chunkDocument('# A\n```\n# not a heading\n```\n', true).map((c) => c.heading), ['A']);
});

forEachDriver('agent knowledge and versions', (kind) => {
  const ctx = useCore(kind);
  let agentId: string;

  before(async () => {
    const agent = await ctx.core.agents.create(scope, {
      name: 'Harbor help', instructions: 'Answer from the help centre.',
      knowledge: [{ name: 'help.md', content: HELP }, { name: 'warranty.txt', content: WARRANTY, mediaType: 'text/plain' }],
    });
    agentId = agent.id;
  });

  it('ranks the passage that answers a question above unrelated ones', async () => {
    const hits = await ctx.core.knowledge.search(scope, agentId, 'release', 'How many days do I have to return my bike?', 5);
    assert.ok(hits.length >= 1);
    assert.equal(hits[0].documentName, 'help.md');
    assert.match(hits[0].text, /return a bike within 30 days/);
    for (const other of hits.slice(1)) assert.ok(other.score <= hits[0].score);
    // mani (many), day, return, bike: the answer has three of the four words.
    assert.equal(hits[0].coverage, 0.75);

    const hours = await ctx.core.knowledge.search(scope, agentId, 'release', 'When is the shop open on Saturday?', 5);
    assert.match(hours[0].text, /Saturday from 10am to 4pm/);
    const warranty = await ctx.core.knowledge.search(scope, agentId, 'release', 'Is the frame covered by a warranty?', 5);
    assert.equal(warranty[0].documentName, 'warranty.txt');
  });

  it('returns nothing for a question the knowledge base does not touch', async () => {
    assert.deepEqual(await ctx.core.knowledge.search(scope, agentId, 'release', 'What is the capital of France?', 5), []);
    assert.deepEqual(await ctx.core.knowledge.search(scope, agentId, 'release', 'the of and', 5), []);
  });

  it('every change is a new version; release stays until released; search follows the version set', async () => {
    const created = await ctx.core.agents.get(scope, agentId);
    assert.equal(created.edgeVersion, 1);
    assert.equal(created.releaseVersion, 1);

    const changed = await ctx.core.agents.update(scope, agentId, {
      instructions: 'Be brief.', modelSettings: { temperature: 0.2 }, states: [{ name: 'greet', objective: 'Welcome the rider', action: 'Say hello' }],
    }, { add: [{ name: 'rentals.md', content: '# Rentals\nE-bikes can be rented for CHF 45 per day, helmets included.' }] });
    assert.equal(changed.edgeVersion, 2);
    assert.equal(changed.releaseVersion, 1);
    assert.deepEqual(changed.states, [{ name: 'greet', objective: 'Welcome the rider', action: 'Say hello' }]);

    const question = 'Do you rent helmets?';
    assert.deepEqual(await ctx.core.knowledge.search(scope, agentId, 'release', question, 5), []);
    assert.match((await ctx.core.knowledge.search(scope, agentId, 'edge', question, 5))[0].text, /CHF 45 per day/);

    const v1 = await ctx.core.agents.version(scope, agentId, 1);
    assert.equal(v1.instructions, 'Answer from the help centre.');
    assert.equal((await ctx.core.agents.version(scope, agentId, 'edge')).instructions, 'Be brief.');

    const released = await ctx.core.agents.release(scope, agentId);
    assert.equal(released.releaseVersion, 2);
    assert.match((await ctx.core.knowledge.search(scope, agentId, 'release', question, 5))[0].text, /CHF 45/);
    // Releasing an older version is a rollback.
    assert.equal((await ctx.core.agents.release(scope, agentId, 1)).releaseVersion, 1);
    await assert.rejects(ctx.core.agents.release(scope, agentId, 3), refusedAs('INVALID_ARGUMENT'));
    await assert.rejects(ctx.core.agents.version(scope, agentId, 9), refusedAs('NOT_FOUND'));

    const page = await ctx.core.agents.versions(scope, agentId, { pageSize: 1 });
    assert.deepEqual(page.versions.map((v) => v.version), [2]);
    const rest = await ctx.core.agents.versions(scope, agentId, { pageSize: 1, pageToken: page.nextPageToken });
    assert.deepEqual(rest.versions.map((v) => v.version), [1]);
    assert.equal(rest.nextPageToken, '');
  });

  it('removing a document is a new version; the older versions still know it', async () => {
    const docs = await ctx.core.knowledge.list(scope, agentId);
    const warranty = docs.find((d) => d.name === 'warranty.txt')!;
    assert.ok(warranty.chunkCount >= 1);
    const after = await ctx.core.knowledge.remove(scope, agentId, warranty.id);
    assert.ok(!(await ctx.core.knowledge.list(scope, agentId)).some((d) => d.id === warranty.id));
    assert.deepEqual(await ctx.core.knowledge.search(scope, agentId, 'edge', 'lifetime warranty', 5), []);
    assert.equal((await ctx.core.knowledge.search(scope, agentId, after.edgeVersion - 1, 'lifetime warranty', 5))[0].documentName, 'warranty.txt');
    await assert.rejects(ctx.core.knowledge.get(scope, agentId, warranty.id), refusedAs('NOT_FOUND'));
    await assert.rejects(ctx.core.knowledge.remove(scope, agentId, warranty.id), refusedAs('NOT_FOUND'));
  });

  it('replacing the knowledge keeps unchanged documents and drops the others', async () => {
    const before = await ctx.core.knowledge.list(scope, agentId);
    const help = before.find((d) => d.name === 'help.md')!;
    await ctx.core.agents.update(scope, agentId, {}, { replace: [{ name: 'help.md', content: HELP }, { name: 'new.txt', content: 'Gift cards never expire.', mediaType: 'text/plain' }] });
    const after = await ctx.core.knowledge.list(scope, agentId);
    assert.deepEqual(after.map((d) => d.name).sort(), ['help.md', 'new.txt']);
    assert.equal(after.find((d) => d.name === 'help.md')!.id, help.id);
  });

  it('bad input is INVALID_ARGUMENT and makes no version', async () => {
    const before = await ctx.core.agents.get(scope, agentId);
    const bad: [string, Promise<unknown>][] = [
      ['empty name', ctx.core.agents.update(scope, agentId, { name: ' ' })],
      ['temperature', ctx.core.agents.update(scope, agentId, { modelSettings: { temperature: 3 } })],
      ['duplicate states', ctx.core.agents.update(scope, agentId, { states: [{ name: 'a', objective: '', action: '' }, { name: 'a', objective: '', action: '' }] })],
      ['empty document', ctx.core.knowledge.add(scope, agentId, [{ name: 'x.md', content: '  ' }])],
      ['media type', ctx.core.knowledge.add(scope, agentId, [{ name: 'x.pdf', content: 'x', mediaType: 'application/pdf' as never }])],
      ['nothing', ctx.core.agents.update(scope, agentId, {})],
      ['limit', ctx.core.knowledge.search(scope, agentId, 'edge', 'bike', 0)],
    ];
    for (const [what, attempt] of bad) await assert.rejects(attempt, refusedAs('INVALID_ARGUMENT'), what);
    assert.equal((await ctx.core.agents.get(scope, agentId)).edgeVersion, before.edgeVersion);
  });

  it('records on a conversation the version a set resolved to', async () => {
    const caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
    const { conversation } = await ctx.core.conversations.start(caller, 'acme', 'default', undefined, {}, { source: 'API' });
    const agent = await ctx.core.agents.get(scope, agentId);
    const version = await ctx.core.agents.recordConversationVersion(scope, conversation.id, agentId, 'edge');
    assert.equal(version.version, agent.edgeVersion);
    const rows = await ctx.database.db.query<{ agent_id: string; agent_version: number; agent_version_set: string }>(
      'SELECT agent_id, agent_version, agent_version_set FROM conversations WHERE id = $1', [conversation.id],
    );
    assert.deepEqual(rows[0], { agent_id: agentId, agent_version: agent.edgeVersion, agent_version_set: 'edge' });
    assert.deepEqual(await ctx.core.agents.conversationVersion('acme', conversation.id), { agentId, version: agent.edgeVersion, versionSet: 'edge' });
    assert.equal(await ctx.core.agents.conversationVersion('globex', conversation.id), undefined);
  });

  it('another customer sees no agent', async () => {
    await ctx.core.tenancy.createCustomer('globex');
    const other: AgentScope = { customerId: 'globex', profileId: null, what: 'agent' };
    await assert.rejects(ctx.core.agents.get(other, agentId), refusedAs('NOT_FOUND'));
    await assert.rejects(ctx.core.knowledge.search(other, agentId, 'release', 'return', 5), refusedAs('NOT_FOUND'));
    // A key narrowed to another agent sees neither this agent nor it in lists.
    const narrowed: AgentScope = { customerId: 'acme', profileId: null, agentId: '000000000000000000000000' };
    await assert.rejects(ctx.core.agents.get(narrowed, agentId), refusedAs('NOT_FOUND'));
    await assert.rejects(ctx.core.agents.update(narrowed, agentId, { name: 'x' }), refusedAs('NOT_FOUND'));
    assert.deepEqual((await ctx.core.agents.list(narrowed, { limit: 10, offset: 0 })).agents, []);
    assert.deepEqual((await ctx.core.agents.listPage(narrowed, { pageSize: 10 })).agents, []);
  });
});
