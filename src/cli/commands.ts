import type { Core } from '../core/index.ts';
import { invalidArgument, ParleyError } from '../kernel/errors.ts';
import { checkRetentionDays } from '../core/retention/retention-days.ts';
import type { Driver } from '../store/driver.ts';
import { migrate } from '../store/migrate.ts';
import type { CommandIo } from './command-io.ts';
import { profileName, type CommandName, type Flags } from './command-line.ts';
import { sampleToFile } from './sample.ts';
import { handOffFlag, readInstructions, readKnowledge } from './agent-files.ts';
import type { AgentScope } from '../core/agents/agents.ts';

/** The commands that run on an open database: in the CLI's own process, or inside a running server. */
export type DatabaseCommand = Exclude<CommandName, 'serve' | 'worker'>;

export const isDatabaseCommand = (command: CommandName): command is DatabaseCommand => command !== 'serve' && command !== 'worker';

export interface CommandContext {
  db: Driver;
  core: Core;
  io: CommandIo;
}

type Run = (ctx: CommandContext, flags: Flags, args: string[]) => Promise<void>;

/** The CLI acts as the whole customer (it owns the database), narrowed to --profile when given. */
const agentScope = (flags: Flags): AgentScope => ({ customerId: flags.customer!, profileId: flags.profile ?? null, what: 'agent' });
const agentLine = (a: { id: string; customerId: string; profileId: string; edgeVersion: number; releaseVersion: number; name: string }) =>
  `${a.id}\tcustomers/${a.customerId}/profiles/${a.profileId}\tversion=${a.edgeVersion}\treleased=${a.releaseVersion}\t${a.name}`;

/** `--retention-days`: a number of days, or `off` (kept until deleted); the core checks the range. */
function retentionDays(value: string): number | null {
  if (value.trim().toLowerCase() === 'off') return null;
  const days = Number(value);
  if (value.trim() === '' || !Number.isInteger(days)) throw invalidArgument('--retention-days', `must be a whole number of days or off, got "${value}"`);
  return checkRetentionDays(days, '--retention-days');
}
const retentionLabel = (days: number | null) => (days === null ? 'off' : `${days}d`);

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

/** The request fields sampling reports in its errors, written as the flags that set them. */
const SAMPLE_FLAGS: Record<string, string> = {
  'filter.maxConversationRatio': '--ratio',
  'filter.maxConversations': '--max-conversations',
  'filter.maxMessages': '--max-messages',
};

/** A conversation state as `states list` prints it: id, name, color, persistence, description. */
const stateLine = (s: { id: string; name: string; color: string | null; isPersistent: boolean; description: string | null }) =>
  `${s.id}\t${s.name}\tcolor=${s.color ?? '-'}\tpersistent=${s.isPersistent}\t${s.description ?? ''}`;

/** A state's fields from the flags; an empty --description or --color clears it (null). */
const stateFields = (flags: Flags) => ({
  name: flags.name,
  description: flags.description === undefined ? undefined : flags.description || null,
  color: flags.color === undefined ? undefined : flags.color || null,
  isPersistent: flags.persistent ? true : flags['not-persistent'] ? false : undefined,
});

/** A refused state field, named by the flag that sets it (`--color: must be …`). */
async function withStateFlags<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const field = err instanceof ParleyError ? err.details.fieldViolations?.[0] : undefined;
    if (err instanceof ParleyError && field && ['name', 'description', 'color'].includes(field.field)) {
      throw new ParleyError(err.code, `--${field.field}: ${field.description}`, err.details, { cause: err });
    }
    throw err;
  }
}

const RUN: Record<DatabaseCommand, Run> = {
  async migrate({ db, io }) {
    const applied = await migrate(db);
    io.print(applied.length ? `applied migrations ${applied.join(', ')}` : 'database is up to date');
  },
  async 'customers create'({ core, io }, flags, [id]) {
    const customer = await core.tenancy.createCustomer(id, flags.name);
    io.print(`created customers/${customer.id} with profile customers/${customer.id}/profiles/default`);
  },
  async 'customers list'({ core, io }) {
    for (const c of await core.tenancy.listCustomers()) io.print(`customers/${c.id}\t${c.displayName}`);
  },
  async 'profiles create'({ core, io }, flags, [name]) {
    const [customerId, profileId] = profileName(name, 'profile');
    const profile = await core.tenancy.createProfile(customerId, profileId, {
      supportedLanguages: list(flags.languages),
      defaultLanguage: flags['default-language'],
      displayName: flags.name,
      retentionDays: flags['retention-days'] === undefined ? undefined : retentionDays(flags['retention-days']),
    });
    io.print(`created customers/${profile.customerId}/profiles/${profile.id}`);
  },
  async 'profiles update'({ core, io }, flags, [name]) {
    const [customerId, profileId] = profileName(name, 'profile');
    const profile = await core.tenancy.setProfileRetention(customerId, profileId, retentionDays(flags['retention-days']!));
    io.print(`updated customers/${profile.customerId}/profiles/${profile.id}\tretention=${retentionLabel(profile.retentionDays)}`);
  },
  async 'profiles list'({ core, io }, flags) {
    for (const p of await core.tenancy.listProfiles(flags.customer!)) {
      const retention = p.retentionDays === null ? '' : `\tretention=${retentionLabel(p.retentionDays)}`;
      io.print(`customers/${p.customerId}/profiles/${p.id}\tlanguages=${p.supportedLanguages.join(',') || '*'}\tdefault=${p.defaultLanguage || '-'}${retention}`);
    }
  },
  async 'users erase'({ core, io }, flags) {
    const caller = { customerId: flags.customer!, keyId: 'cli', profileId: null, agentId: null, scopes: ['*'] };
    const report = await core.erasure.erase(caller, flags.customer!, flags.user!);
    io.print(report.endUser.id ? `erased end user ${report.endUser.id} (${report.endUser.externalId})` : `erased ${report.endUser.externalId} (no end-user record)`);
    io.print(Object.entries(report.removed).map(([kind, n]) => `${kind}=${n}`).join('\t'));
    for (const id of report.conversationIds) io.print(`conversation ${id}`);
  },
  async 'keys create'({ core, io }, flags) {
    const key = await core.apiKeys.create({
      customerId: flags.customer!,
      profileId: flags.profile ?? null,
      agentId: flags.agent ?? null,
      scopes: list(flags.scopes),
      displayName: flags.name,
    });
    if (flags.quiet) return io.print(key.secret);
    io.print(`key ${key.id} for customers/${key.customerId}${key.profileId ? `/profiles/${key.profileId}` : ''} scopes=${key.scopes.join(',')}`);
    io.print(`secret (shown once, stored hashed): ${key.secret}`);
  },
  async 'keys list'({ core, io }, flags) {
    for (const k of await core.apiKeys.list(flags.customer!)) {
      io.print(`${k.id}\tprofile=${k.profileId ?? '*'}\tscopes=${k.scopes.join(',')}\tcreated=${k.createTime.toISOString()}\t${k.revokeTime ? `revoked=${k.revokeTime.toISOString()}` : 'active'}`);
    }
  },
  async 'keys revoke'({ core, io }, flags, [keyId]) {
    await core.apiKeys.revoke(flags.customer!, keyId);
    io.print(`revoked ${keyId}`);
  },
  async 'agents create'({ core, io }, flags) {
    const instructions = await readInstructions(flags);
    const knowledge = await readKnowledge(flags.knowledge ?? []);
    const agent = await core.agents.create(agentScope(flags), { name: flags.name!, instructions, greeting: flags.greeting, handOff: handOffFlag(flags.handoff), knowledge });
    if (flags.quiet) return io.print(agent.id);
    io.print(`created agent ${agent.id} (customers/${agent.customerId}/profiles/${agent.profileId}/agents/${agent.id}), version 1, released, ${knowledge.length} knowledge documents`);
  },
  async 'agents update'({ core, io }, flags, [id]) {
    const instructions = await readInstructions(flags);
    const knowledge = flags.knowledge ? { replace: await readKnowledge(flags.knowledge) } : {};
    const agent = await core.agents.update(agentScope(flags), id, { name: flags.name, instructions, greeting: flags.greeting, handOff: handOffFlag(flags.handoff) }, knowledge);
    io.print(`agent ${agent.id} is at version ${agent.edgeVersion}; release still points at version ${agent.releaseVersion} (parley agents release ${agent.id} --customer ${agent.customerId})`);
  },
  async 'agents release'({ core, io }, flags, [id]) {
    const agent = await core.agents.release(agentScope(flags), id, flags.version === undefined ? undefined : Number(flags.version));
    io.print(`released version ${agent.releaseVersion} of agent ${agent.id} (newest: ${agent.edgeVersion})`);
  },
  async 'agents list'({ core, io }, flags) {
    let pageToken: string | undefined;
    do {
      const page = await core.agents.listPage(agentScope(flags), { pageSize: 500, pageToken });
      for (const agent of page.agents) io.print(agentLine(agent));
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
  },
  async 'states list'({ core, io }, flags) {
    for (const state of await core.conversationStates.list(flags.customer!)) io.print(stateLine(state));
  },
  async 'states create'({ core, io }, flags) {
    const { name, ...rest } = stateFields(flags);
    const state = await withStateFlags(() => core.conversationStates.create(flags.customer!, { name: name!, ...rest }));
    if (flags.quiet) return io.print(state.id);
    io.print(`created conversation state ${state.id} (${state.name})`);
  },
  async 'states update'({ core, io }, flags, [id]) {
    const state = await withStateFlags(() => core.conversationStates.update(flags.customer!, id, stateFields(flags)));
    io.print(stateLine(state));
  },
  async 'states delete'({ core, io }, flags, [id]) {
    await core.conversationStates.delete(flags.customer!, id);
    io.print(`deleted conversation state ${id}`);
  },
  async sample({ core, io }, flags) {
    try {
      const count = await sampleToFile(core, {
        profile: flags.profile!,
        out: io.out!,
        format: flags.format === 'parley' ? 'parley' : 'openai',
        progress: io.progress,
        request: {
          maxConversationRatio: flags.ratio === undefined ? undefined : Number(flags.ratio),
          startTime: flags.start,
          endTime: flags.end,
          maxConversations: flags['max-conversations'],
          maxMessages: flags['max-messages'],
        },
      });
      io.print(`wrote ${count} conversations to ${flags.out}`);
    } catch (err) {
      const field = err instanceof ParleyError ? err.details.fieldViolations?.[0] : undefined;
      if (err instanceof ParleyError && field && SAMPLE_FLAGS[field.field]) {
        throw new ParleyError(err.code, `${SAMPLE_FLAGS[field.field]}: ${field.description}`, err.details, { cause: err });
      }
      throw err;
    }
  },
};

export function runCommand(command: DatabaseCommand, ctx: CommandContext, flags: Flags, args: string[]): Promise<void> {
  return RUN[command](ctx, flags, args);
}
