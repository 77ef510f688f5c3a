import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext } from '../helpers/app.ts';
import { AGENT_LIMITS } from '../../src/core/agents/agents.ts';
import { parseCommandLine } from '../../src/cli/command-line.ts';
import { runCommand, type DatabaseCommand } from '../../src/cli/commands.ts';
import { signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, HELP, ndjsonLines } from './agent-turns.ts';

const base = '/v1/customers/acme/profiles/default/agents';

function call(ctx: TestContext, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  return ctx.app.inject({ method, url, headers: ctx.a.auth, ...(payload === undefined ? {} : { payload }) });
}

/** The text of the first turn a new conversation with the agent streams (a new end user each time: one open conversation per user and service). */
async function firstTurn(ctx: TestContext, agentId: string, user: string): Promise<string> {
  const token = (await signIn(ctx, ctx.a, user)).id_token;
  const res = await createConversation(ctx.app, ctx.a.customerId, token, { service_id: agentId, service_version_set_name: 'release' });
  assert.equal(res.statusCode, 201, res.body);
  const lines = await ndjsonLines(res);
  assert.equal(lines[0].type, 'conversation-created');
  return assertPieces(lines.slice(1)).text;
}

const idOf = (name: string) => name.split('/').pop()!;

/** Runs a CLI command line in this process on the test's database, as `parley …` does; returns what it printed. */
async function cli(ctx: TestContext, argv: string[]): Promise<string[]> {
  const line = parseCommandLine(argv);
  assert.ok(!line.help);
  const printed: string[] = [];
  const io = { print: (l: string) => printed.push(l), progress: { isTTY: false, write: () => {} } };
  await runCommand(line.command as DatabaseCommand, { db: ctx.database.db, core: ctx.core, io }, line.flags, line.args);
  return printed;
}

forEachDriver('agents: a configured greeting opens every conversation', (kind) => {
  const ctx = useTestApp(kind);
  let agent: { name: string; version: number; modelSettings: Record<string, unknown> };

  before(async () => {
    const res = await call(ctx, 'POST', base, {
      displayName: 'Harbor help', instructions: 'Answer from the help pages.',
      modelSettings: { temperature: 0.2, greeting: '  Ahoy! Harbor Bikes here: ask me about returns or opening hours.  ' },
    });
    assert.equal(res.statusCode, 200, res.body);
    agent = res.json();
    const doc = await call(ctx, 'POST', `/v1/${agent.name}/knowledge`, { displayName: 'help.md', content: HELP });
    assert.equal(doc.statusCode, 200, doc.body);
    assert.equal((await call(ctx, 'POST', `/v1/${agent.name}:release`, {})).statusCode, 200);
  });

  it('stores the greeting trimmed in the model settings and shows it', async () => {
    const greeting = 'Ahoy! Harbor Bikes here: ask me about returns or opening hours.';
    assert.deepEqual(agent.modelSettings, { temperature: 0.2, greeting });
    assert.deepEqual((await call(ctx, 'GET', `/v1/${agent.name}`)).json().modelSettings, { temperature: 0.2, greeting });
    const versions = (await call(ctx, 'GET', `/v1/${agent.name}/versions`)).json().agentVersions;
    assert.deepEqual(versions.map((v: { modelSettings: object }) => v.modelSettings), [{ temperature: 0.2, greeting }, { temperature: 0.2, greeting }]);
  });

  it('the first turn on the agent surface is the greeting: its pieces join to it', async () => {
    assert.equal(await firstTurn(ctx, idOf(agent.name), 'sailor-1'), 'Ahoy! Harbor Bikes here: ask me about returns or opening hours.');
  });

  it('updateMask=modelSettings.greeting changes the greeting alone; the mask without one removes it', async () => {
    const changed = await call(ctx, 'PATCH', `/v1/${agent.name}?updateMask=modelSettings.greeting`, { modelSettings: { greeting: 'Welcome aboard!' } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json().modelSettings, { temperature: 0.2, greeting: 'Welcome aboard!' }, 'the other settings stay');
    await call(ctx, 'POST', `/v1/${agent.name}:release`, {});
    assert.equal(await firstTurn(ctx, idOf(agent.name), 'sailor-2'), 'Welcome aboard!');

    const removed = await call(ctx, 'PATCH', `/v1/${agent.name}?updateMask=modelSettings.greeting`, {});
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(removed.json().modelSettings, { temperature: 0.2 });
    await call(ctx, 'POST', `/v1/${agent.name}:release`, {});
    assert.equal(await firstTurn(ctx, idOf(agent.name), 'sailor-3'), "Hello, I'm Harbor help. I can help with help. How can I help you?");
  });

  it('refuses a blank, too long or non-text greeting with 400, changing nothing', async () => {
    const current = (await call(ctx, 'GET', `/v1/${agent.name}`)).json();
    const before = await ctx.snapshot();
    const tooLong = 'x'.repeat(AGENT_LIMITS.greeting + 1);
    const bad: [string, 'POST' | 'PATCH', string, object][] = [
      ['blank on create', 'POST', base, { displayName: 'Quiet', modelSettings: { greeting: '   ' } }],
      ['empty on create', 'POST', base, { displayName: 'Quiet', modelSettings: { greeting: '' } }],
      ['too long on create', 'POST', base, { displayName: 'Chatty', modelSettings: { greeting: tooLong } }],
      ['a number', 'POST', base, { displayName: 'Odd', modelSettings: { greeting: 42 } }],
      ['NUL', 'POST', base, { displayName: 'Odd', modelSettings: { greeting: 'Hi\u0000' } }],
      ['blank on update', 'PATCH', `/v1/${agent.name}`, { modelSettings: { greeting: '\n\t ' } }],
      ['blank through the mask', 'PATCH', `/v1/${agent.name}?updateMask=modelSettings.greeting`, { modelSettings: { greeting: ' ' } }],
      ['too long on update', 'PATCH', `/v1/${agent.name}`, { modelSettings: { greeting: tooLong } }],
      ['a nested path the mask does not know', 'PATCH', `/v1/${agent.name}?updateMask=modelSettings.opening`, { modelSettings: { greeting: 'Hi' } }],
    ];
    for (const [label, method, url, body] of bad) {
      const res = await call(ctx, method, url, body);
      assert.equal(res.statusCode, 400, `${label}: ${res.body}`);
      assert.match(res.body, /greeting/, label);
    }
    assert.deepEqual(await ctx.snapshot(), before);
    assert.deepEqual((await call(ctx, 'GET', `/v1/${agent.name}`)).json(), current);
  });

  describe('parley agents create|update --greeting', () => {
    it('sets the greeting at create and changes it alone at update', async () => {
      const [id] = await cli(ctx, ['agents', 'create', '--customer', 'acme', '--name', 'Dock help', '--greeting', 'Hi from the dock!', '--quiet']);
      assert.match(id, /^[a-f0-9]{24}$/);
      const scope = { customerId: 'acme', profileId: null };
      assert.deepEqual((await ctx.core.agents.get(scope, id)).modelSettings, { greeting: 'Hi from the dock!' });
      assert.equal(await firstTurn(ctx, id, 'sailor-4'), 'Hi from the dock!');

      await ctx.core.agents.update(scope, id, { modelSettings: { temperature: 1, greeting: 'Hi from the dock!' } });
      await cli(ctx, ['agents', 'update', id, '--customer', 'acme', '--greeting', 'The dock is open.']);
      const updated = await ctx.core.agents.get(scope, id);
      assert.deepEqual(updated.modelSettings, { temperature: 1, greeting: 'The dock is open.' });
      assert.equal(updated.edgeVersion, 3);
    });

    it('refuses a blank --greeting, changing nothing', async () => {
      const before = await ctx.snapshot();
      await assert.rejects(cli(ctx, ['agents', 'create', '--customer', 'acme', '--name', 'Mute', '--greeting', '  ']), /greeting.*blank/);
      const [agentRow] = await ctx.database.db.query<{ id: string }>("SELECT id FROM agents WHERE name = 'Dock help'");
      await assert.rejects(cli(ctx, ['agents', 'update', agentRow.id, '--customer', 'acme', '--greeting', '']), /greeting.*blank/);
      assert.deepEqual(await ctx.snapshot(), before);
    });

    it('lists --greeting in the usage of both commands', () => {
      assert.throws(() => parseCommandLine(['agents', 'release', '0123456789abcdef01234567', '--customer', 'acme', '--greeting', 'x']), /--greeting is not an option/);
      for (const command of ['create', 'update']) {
        assert.doesNotThrow(() => parseCommandLine(['agents', command, ...(command === 'update' ? ['0123456789abcdef01234567'] : []), '--customer', 'acme', '--name', 'N', '--greeting', 'x']));
      }
    });
  });
});
