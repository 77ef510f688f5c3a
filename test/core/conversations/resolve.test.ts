import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { forEachDriver } from '../../helpers/db.ts';
import { useCore } from '../../helpers/core.ts';
import { pickConversation, resolveNameIn } from '../../../src/core/conversations/resolve.ts';
import { ParleyError } from '../../../src/kernel/errors.ts';
import type { Caller } from '../../../src/kernel/types.ts';
import { stores } from '../../../src/store/index.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const SRC = new URL('../../../src/', import.meta.url).pathname;
const HEX = '0123456789abcdef01234567';

it('the rule: the name first, then (24-hex segments only) the id', () => {
  const byName = { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', nameId: HEX };
  const byId = { id: HEX, nameId: 'call-42' };
  assert.equal(pickConversation(HEX, [byId, byName]), byName, 'name wins');
  assert.equal(pickConversation(HEX, [byId]), byId);
  assert.equal(pickConversation('call-42', [byId]), byId);
  assert.equal(pickConversation(HEX.toUpperCase(), [{ id: HEX.toUpperCase(), nameId: 'x' }]), undefined, 'only lowercase hex is an id');
  assert.equal(pickConversation('short', [{ id: 'short', nameId: 'x' }]), undefined);
});

it('no surface route resolves a conversation name on its own: they all call core.conversations.resolveName', async () => {
  const offenders: string[] = [];
  for (const entry of await readdir(join(SRC, 'api'), { recursive: true })) {
    if (!entry.endsWith('.ts')) continue;
    const text = await readFile(join(SRC, 'api', entry), 'utf8');
    if (/namedConversation|nameId:\s*(params|request\.params)\.conversation/.test(text)) offenders.push(entry);
  }
  assert.deepEqual(offenders, []);
});

forEachDriver('resolving a conversation segment', (kind) => {
  const ctx = useCore(kind);

  it('a name that is another conversation\'s id still names its own conversation', async () => {
    const s = stores(ctx.database.db);
    const owner = (await ctx.core.conversations.start(caller, 'acme', 'default', 'owner-of-id', {})).conversation;
    const shadow = (await ctx.core.conversations.start(caller, 'acme', 'default', 'shadow', {})).conversation;
    // Only possible by hand (a start with a taken id returns that conversation): the rule must still hold.
    await ctx.database.db.query(`UPDATE conversations SET name_id = $1 WHERE customer_id = 'acme' AND id = $2`, [owner.id, shadow.id]);
    const idOf = async (segment: string) => (await ctx.core.conversations.get(await resolveNameIn(s, 'acme', 'default', segment))).id;
    assert.equal(await idOf(owner.id), shadow.id, 'the name wins over the id');
    assert.equal(await idOf(shadow.id), shadow.id, 'an id whose conversation is named otherwise');
    assert.equal(await idOf('owner-of-id'), owner.id);
    assert.equal((await resolveNameIn(s, 'acme', 'default', HEX)).nameId, HEX, 'nothing found: the segment as given');
  });

  it('resolveName checks tenancy before it reads', async () => {
    const other: Caller = { ...caller, customerId: 'globex' };
    await assert.rejects(ctx.core.conversations.resolveName(other, 'acme', 'default', HEX), (err) => err instanceof ParleyError && err.code === 'NOT_FOUND');
    const narrowed: Caller = { ...caller, profileId: 'support' };
    await assert.rejects(ctx.core.conversations.resolveName(narrowed, 'acme', 'default', HEX), (err) => err instanceof ParleyError && err.code === 'NOT_FOUND');
  });
});
