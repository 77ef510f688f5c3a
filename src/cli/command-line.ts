import { parseArgs } from 'node:util';

/** A mistake on the command line: exit status 2 and one line on stderr, before any work. */
export class UsageError extends Error {}

interface CommandSpec {
  /** The positional arguments after the command's words, all required. */
  args: string[];
  flags: string[];
  /** Flags without which the command cannot run. */
  required?: string[];
  usage: string;
  /** A repeatable flag whose values may go on as positionals after the arguments (`--knowledge a.md b.md`). */
  variadic?: string;
  /** What `parley --help` says it does. */
  does?: string;
}

/** Every command: the one place its flags, arguments and usage line are written. */
export const COMMANDS = {
  serve: { args: [], flags: ['memory'], usage: 'serve [--memory]', does: 'run the HTTP server (HOST, PORT)' },
  worker: { args: [], flags: [], usage: 'worker', does: 'run background jobs only (webhooks, analysis, transcription)' },
  migrate: { args: [], flags: [], usage: 'migrate', does: 'apply database migrations and exit' },
  'customers create': { args: ['ID'], flags: ['name'], usage: 'customers create ID [--name NAME]', does: 'create a customer with its default profile' },
  'customers list': { args: [], flags: [], usage: 'customers list' },
  'profiles create': {
    args: ['customers/ID/profiles/PID'],
    flags: ['languages', 'default-language', 'name', 'retention-days'],
    usage: 'profiles create customers/ID/profiles/PID [--languages en-US,de-CH] [--default-language en-US] [--name NAME]\n         [--retention-days N]',
  },
  'profiles update': {
    args: ['customers/ID/profiles/PID'], flags: ['retention-days'], required: ['retention-days'],
    usage: 'profiles update customers/ID/profiles/PID --retention-days N|off',
    does: 'keep the profile\'s conversations N days after they end (off: until deleted)',
  },
  'profiles list': { args: [], flags: ['customer'], required: ['customer'], usage: 'profiles list --customer ID' },
  'users erase': {
    args: [], flags: ['customer', 'user'], required: ['customer', 'user'],
    usage: 'users erase --customer ID --user USER',
    does: 'erase an end user (Parley id or your id for them): conversations, recordings, feedback; prints what was removed',
  },
  'keys create': {
    args: [],
    flags: ['customer', 'profile', 'agent', 'scopes', 'name', 'quiet'],
    required: ['customer'],
    usage: 'keys create --customer ID [--profile PID] [--agent AID] [--scopes a,b] [--name NAME] [--quiet]',
  },
  'keys list': { args: [], flags: ['customer'], required: ['customer'], usage: 'keys list --customer ID' },
  'keys revoke': { args: ['KEY_ID'], flags: ['customer'], required: ['customer'], usage: 'keys revoke --customer ID KEY_ID' },
  sample: {
    args: [],
    flags: ['profile', 'out', 'ratio', 'start', 'end', 'max-conversations', 'max-messages', 'format'],
    required: ['profile', 'out'],
    usage: 'sample --profile customers/ID/profiles/PID --out FILE.jsonl [--ratio 0.01] [--start RFC3339] [--end RFC3339]\n         [--max-conversations N] [--max-messages N] [--format openai|parley]',
    does: 'write a deterministic sample as JSONL, one conversation a line',
  },
  'agents create': {
    args: [],
    flags: ['customer', 'profile', 'name', 'instructions', 'instructions-file', 'greeting', 'handoff', 'knowledge', 'quiet'],
    required: ['customer', 'name'],
    variadic: 'knowledge',
    usage: 'agents create --customer ID [--profile PID] --name NAME [--instructions TEXT | --instructions-file F]\n         [--greeting TEXT] [--handoff on|off] [--knowledge PATH…] [--quiet]',
    does: 'create an agent (version 1, released) and print its id; PATH: a .md/.txt file or a folder of them',
  },
  'agents update': {
    args: ['AGENT_ID'],
    flags: ['customer', 'profile', 'name', 'instructions', 'instructions-file', 'greeting', 'handoff', 'knowledge'],
    required: ['customer'],
    variadic: 'knowledge',
    usage: 'agents update AGENT_ID --customer ID [--profile PID] [--name NAME] [--instructions TEXT | --instructions-file F]\n         [--greeting TEXT] [--handoff on|off] [--knowledge PATH…]',
    does: 'make a new version (the knowledge base becomes the files given); release it to use it',
  },
  'agents release': {
    args: ['AGENT_ID'], flags: ['customer', 'profile', 'version'], required: ['customer'],
    usage: 'agents release AGENT_ID --customer ID [--profile PID] [--version N]', does: 'point the release set at a version (default: the newest)',
  },
  'agents list': { args: [], flags: ['customer', 'profile'], required: ['customer'], usage: 'agents list --customer ID [--profile PID]' },
  'states list': { args: [], flags: ['customer'], required: ['customer'], usage: 'states list --customer ID', does: 'list the customer\'s conversation states' },
  'states create': {
    args: [], flags: ['customer', 'name', 'description', 'color', 'persistent', 'quiet'], required: ['customer', 'name'],
    usage: 'states create --customer ID --name NAME [--description TEXT]\n         [--color #RRGGBB] [--persistent] [--quiet]',
    does: 'create a conversation state and print its id',
  },
  'states update': {
    args: ['STATE_ID'], flags: ['customer', 'name', 'description', 'color', 'persistent', 'not-persistent'], required: ['customer'],
    usage: 'states update STATE_ID --customer ID [--name NAME] [--description TEXT]\n         [--color #RRGGBB] [--persistent | --not-persistent]',
    does: 'change the fields given (an empty --description or --color clears it)',
  },
  'states delete': {
    args: ['STATE_ID'], flags: ['customer'], required: ['customer'],
    usage: 'states delete STATE_ID --customer ID', does: 'delete a conversation state (its conversations keep none)',
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export const USAGE = `Usage: parley <command> [options]

Commands:
${Object.values(COMMANDS as Record<string, CommandSpec>)
  .map(({ usage, does }) => (does ? (usage.length > 40 ? `  ${usage}\n${' '.repeat(44)}${does}` : `  ${usage.padEnd(42)}${does}`) : `  ${usage}`))
  .join('\n')}

Database: DATABASE_URL (PostgreSQL), else the embedded PGlite in PARLEY_DATA_DIR (default ./data).
While \`parley serve\` holds the embedded database, the other commands run inside it.`;

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
  instructions: { type: 'string' },
  'instructions-file': { type: 'string' },
  /** The agent's first turn in every conversation (model settings `greeting`). */
  greeting: { type: 'string' },
  /** On the support desk, hand a question the knowledge cannot answer to a human (model settings `handOff`). */
  handoff: { type: 'string' },
  knowledge: { type: 'string', multiple: true },
  version: { type: 'string' },
  description: { type: 'string' },
  color: { type: 'string' },
  persistent: { type: 'boolean' },
  'not-persistent': { type: 'boolean' },
  /** Days a profile keeps its conversations after they end; `off` keeps them until deleted. */
  'retention-days': { type: 'string' },
  /** An end user: Parley's id, or the caller's own id for them. */
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FlagValue<O> = O extends { multiple: true } ? string[] : O extends { type: 'boolean' } ? boolean : string;
export type Flags = { [K in Exclude<keyof typeof OPTIONS, 'help'>]?: FlagValue<(typeof OPTIONS)[K]> };

export type CommandLine = { help: true } | { help: false; command: CommandName; flags: Flags; args: string[] };

const HELP = '(parley --help lists the commands)';

/** Reads argv into a command, its flags and arguments; every mistake is a UsageError. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages for these span lines; one line is what a script's log can hold.
    if (String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, ' '));
    throw err;
  }
  const { values, positionals } = parsed;
  const { help, ...flags } = values;
  if (help || positionals.length === 0) return { help: true };
  const words = positionals.length > 1 && `${positionals[0]} ${positionals[1]}` in COMMANDS ? 2 : 1;
  const command = positionals.slice(0, words).join(' ');
  if (!(command in COMMANDS)) throw new UsageError(`unknown command "${positionals.join(' ')}" ${HELP}`);
  const spec: CommandSpec = COMMANDS[command as CommandName];
  for (const flag of Object.keys(flags)) {
    if (!spec.flags.includes(flag)) throw new UsageError(`--${flag} is not an option of "parley ${command}"; usage: parley ${spec.usage.replace(/\s+/g, ' ')}`);
  }
  for (const flag of spec.required ?? []) {
    if (!flags[flag as keyof typeof flags]) throw new UsageError(`--${flag} is required; usage: parley ${spec.usage.replace(/\s+/g, ' ')}`);
  }
  const args = positionals.slice(words);
  const variadic = spec.variadic as keyof Flags | undefined;
  if (variadic && flags[variadic] && args.length > spec.args.length) (flags[variadic] as string[]).push(...args.splice(spec.args.length));
  if (args.length < spec.args.length) throw new UsageError(`${spec.args[args.length]} is required; usage: parley ${spec.usage.replace(/\s+/g, ' ')}`);
  if (args.length > spec.args.length) throw new UsageError(`unexpected argument "${args[spec.args.length]}"; usage: parley ${spec.usage.replace(/\s+/g, ' ')}`);
  checkValues(command as CommandName, flags as Flags, args);
  return { help: false, command: command as CommandName, flags: flags as Flags, args };
}

const PROFILE_NAME = /^customers\/([^/]+)\/profiles\/([^/]+)$/;

/** customers/ID/profiles/PID → [ID, PID]. */
export function profileName(value: string, what: string): [string, string] {
  const match = PROFILE_NAME.exec(value);
  if (!match) throw new UsageError(`${what} must be written customers/ID/profiles/PID`);
  return [match[1], match[2]];
}

/** The checks that need no database; the core checks the rest (ids, ranges) wherever the command runs. */
function checkValues(command: CommandName, flags: Flags, args: string[]): void {
  if (command === 'profiles create') profileName(args[0], 'profile');
  if (flags.instructions !== undefined && flags['instructions-file'] !== undefined) throw new UsageError('give --instructions or --instructions-file, not both');
  if (flags.version !== undefined && !/^[1-9][0-9]{0,9}$/.test(flags.version)) throw new UsageError('--version must be a version number (1, 2, …)');
  if (command.startsWith('agents ') && args[0] !== undefined && !/^[a-f0-9]{24}$/.test(args[0])) throw new UsageError('AGENT_ID must be the agent\'s 24-hex id');
  if (command.startsWith('states ') && args[0] !== undefined && !/^[a-f0-9]{24}$/.test(args[0])) throw new UsageError('STATE_ID must be the state\'s 24-hex id');
  if (flags.persistent && flags['not-persistent']) throw new UsageError('give --persistent or --not-persistent, not both');
  if (command === 'states update' && [flags.name, flags.description, flags.color, flags.persistent, flags['not-persistent']].every((f) => f === undefined)) {
    throw new UsageError('nothing to change: give --name, --description, --color, --persistent or --not-persistent');
  }
  if (command !== 'sample') return;
  profileName(flags.profile!, '--profile');
  if (flags.format !== undefined && flags.format !== 'openai' && flags.format !== 'parley') throw new UsageError('--format must be openai or parley');
  if (flags.ratio !== undefined && (flags.ratio.trim() === '' || Number.isNaN(Number(flags.ratio)))) throw new UsageError('--ratio must be a number in (0, 1]');
}

/**
 * argv with the file flags' paths made absolute: a command sent to a running server reads them
 * there, and the server's working directory is not the caller's.
 */
export function withAbsolutePaths(argv: readonly string[], line: { command: CommandName; flags: Flags; args: string[] }, absolute: (path: string) => string): string[] {
  const { knowledge, 'instructions-file': instructionsFile, ...rest } = line.flags;
  if (!knowledge && !instructionsFile) return [...argv];
  const out = [...line.command.split(' '), ...line.args];
  for (const [flag, value] of Object.entries(rest)) {
    if (value === true) out.push(`--${flag}`);
    else if (typeof value === 'string') out.push(`--${flag}=${value}`);
  }
  if (instructionsFile) out.push(`--instructions-file=${absolute(instructionsFile)}`);
  for (const path of knowledge ?? []) out.push(`--knowledge=${absolute(path)}`);
  return out;
}
