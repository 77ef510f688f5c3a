import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.ts';
import { createCore } from './core/index.ts';
import { ParleyError } from './kernel/errors.ts';
import { migrate } from './store/migrate.ts';
import { DatabaseLockedError, openDatabase } from './store/open.ts';
import { serve } from './cli/serve.ts';
import { sampleToFile } from './cli/sample.ts';
import { worker } from './cli/worker.ts';

const USAGE = `Usage: parley <command> [options]

Commands:
  serve [--memory]                          run the HTTP server (HOST, PORT)
  worker                                    run background jobs only (webhooks, analysis, transcription)
  migrate                                   apply database migrations and exit
  customers create ID [--name NAME]         create a customer with its default profile
  customers list
  profiles create customers/ID/profiles/PID [--languages en-US,de-CH] [--default-language en-US]
  profiles list --customer ID
  keys create --customer ID [--profile PID] [--agent AID] [--scopes a,b] [--name NAME] [--quiet]
  keys list --customer ID
  keys revoke --customer ID KEY_ID
  sample --profile customers/ID/profiles/PID --out FILE.jsonl [--ratio 0.01] [--start RFC3339] [--end RFC3339]
         [--max-conversations N] [--max-messages N] [--format openai|parley]
                                            write a deterministic sample as JSONL, one conversation a line

Database: DATABASE_URL (PostgreSQL), else the embedded PGlite in PARLEY_DATA_DIR (default ./data).`;

const OPTIONS = {
  memory: { type: 'boolean' },
  customer: { type: 'string' },
  profile: { type: 'string' },
  agent: { type: 'string' },
  scopes: { type: 'string' },
  name: { type: 'string' },
  quiet: { type: 'boolean' },
  languages: { type: 'string' },
  'default-language': { type: 'string' },
  ratio: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  'max-conversations': { type: 'string' },
  'max-messages': { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function fail(message: string): never {
  process.stderr.write(`parley: ${message}\n`);
  process.exit(2);
}

function required(value: string | undefined, flag: string): string {
  if (!value) fail(`${flag} is required\n\n${USAGE}`);
  return value;
}

async function withCore<T>(config: Config, fn: (core: ReturnType<typeof createCore>) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return await fn(createCore(db));
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig(process.env, { memory: values.memory ?? false });
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'serve':
      return serve(config);
    case 'worker':
      return worker(config);
    case 'migrate': {
      const db = await openDatabase(config);
      try {
        const applied = await migrate(db);
        print(applied.length ? `applied migrations ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
      return;
    }
    case 'customers create':
      return withCore(config, async (core) => {
        const customer = await core.tenancy.createCustomer(required(arg, 'ID'), values.name);
        print(`created customers/${customer.id} with profile customers/${customer.id}/profiles/default`);
      });
    case 'customers list':
      return withCore(config, async (core) => {
        for (const c of await core.tenancy.listCustomers()) print(`customers/${c.id}\t${c.displayName}`);
      });
    case 'profiles create':
      return withCore(config, async (core) => {
        const match = /^customers\/([^/]+)\/profiles\/([^/]+)$/.exec(required(arg, 'customers/ID/profiles/PID'));
        if (!match) fail('profile must be written customers/ID/profiles/PID');
        const profile = await core.tenancy.createProfile(match[1], match[2], {
          supportedLanguages: values.languages?.split(',').map((l) => l.trim()).filter(Boolean),
          defaultLanguage: values['default-language'],
          displayName: values.name,
        });
        print(`created customers/${profile.customerId}/profiles/${profile.id}`);
      });
    case 'profiles list':
      return withCore(config, async (core) => {
        for (const p of await core.tenancy.listProfiles(required(values.customer, '--customer'))) {
          print(`customers/${p.customerId}/profiles/${p.id}\tlanguages=${p.supportedLanguages.join(',') || '*'}\tdefault=${p.defaultLanguage || '-'}`);
        }
      });
    case 'keys create':
      return withCore(config, async (core) => {
        const key = await core.apiKeys.create({
          customerId: required(values.customer, '--customer'),
          profileId: values.profile ?? null,
          agentId: values.agent ?? null,
          scopes: values.scopes?.split(',').map((s) => s.trim()).filter(Boolean),
          displayName: values.name,
        });
        if (values.quiet) return print(key.secret);
        print(`key ${key.id} for customers/${key.customerId}${key.profileId ? `/profiles/${key.profileId}` : ''} scopes=${key.scopes.join(',')}`);
        print(`secret (shown once, stored hashed): ${key.secret}`);
      });
    case 'keys list':
      return withCore(config, async (core) => {
        for (const k of await core.apiKeys.list(required(values.customer, '--customer'))) {
          print(`${k.id}\tprofile=${k.profileId ?? '*'}\tscopes=${k.scopes.join(',')}\tcreated=${k.createTime.toISOString()}\t${k.revokeTime ? `revoked=${k.revokeTime.toISOString()}` : 'active'}`);
        }
      });
    case 'keys revoke':
      return withCore(config, async (core) => {
        await core.apiKeys.revoke(required(values.customer, '--customer'), required(arg, 'KEY_ID'));
        print(`revoked ${arg}`);
      });
    case 'sample':
      return withCore(config, async (core) => {
        const format = values.format ?? 'openai';
        if (format !== 'openai' && format !== 'parley') fail('--format must be openai or parley');
        const ratio = values.ratio === undefined ? undefined : Number(values.ratio);
        if (ratio !== undefined && Number.isNaN(ratio)) fail('--ratio must be a number in (0, 1]');
        const count = await sampleToFile(core, {
          profile: required(values.profile, '--profile'),
          out: required(values.out, '--out'),
          format,
          progress: process.stderr,
          request: {
            maxConversationRatio: ratio,
            startTime: values.start,
            endTime: values.end,
            maxConversations: values['max-conversations'],
            maxMessages: values['max-messages'],
          },
        });
        print(`wrote ${count} conversations to ${values.out}`);
      });
    default:
      fail(`unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ParleyError || err instanceof DatabaseLockedError) fail(err.message);
  if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail(`${(err as Error).message}\n\n${USAGE}`);
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
