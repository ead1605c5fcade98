import { parseArgs } from 'node:util';
import { isUserError, UsageError } from '../errors.js';
import { setLogSink, type Level } from '../log.js';
import type { Command, ParsedArgs } from './command.js';
import { commandLoaders } from './commands/index.js';

const PROGRAM = 'propensity';

function formatOptions(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(26)} ${spec.description}`;
  });
  rows.push(`  ${'--help'.padEnd(26)} show this help`);
  return rows.join('\n');
}

function commandHelp(command: Command): string {
  const parts = [`Usage: ${PROGRAM} ${command.name} ${command.usage}`.trimEnd(), '', command.summary];
  if (command.details) parts.push('', command.details);
  parts.push('', 'Options:', formatOptions(command));
  return parts.join('\n') + '\n';
}

async function programHelp(): Promise<string> {
  const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const list = commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`).join('\n');
  return (
    [
      `Usage: ${PROGRAM} <command> [options]`,
      '',
      'Scores customers for their likelihood to buy a car, retrains and compares models, and monitors drift.',
      '',
      'Commands:',
      list,
      '',
      `Run \`${PROGRAM} <command> --help\` for a command's options. Results go to stdout, progress to stderr.`,
      'Exit codes: 0 success, 1 failure, 2 bad usage or bad input.',
    ].join('\n') + '\n'
  );
}

/** Finds the command named by the first one or two words of argv (the longest match wins). */
async function findCommand(argv: string[]): Promise<{ command: Command; rest: string[] } | undefined> {
  const two = argv.slice(0, 2).join(' ');
  const name = two in commandLoaders ? two : (argv[0] ?? '');
  const load = commandLoaders[name];
  if (!load) return undefined;
  return { command: await load(), rest: argv.slice(name.split(' ').length) };
}

function installStderrLog(): void {
  const debug = process.env.PROPENSITY_DEBUG === '1';
  setLogSink({
    write(level: Level, message: string) {
      if (level === 'debug' && !debug) return;
      const prefix = level === 'info' ? '' : `${level}: `;
      process.stderr.write(`${prefix}${message}\n`);
    },
  });
}

export async function main(argv: string[]): Promise<number> {
  installStderrLog();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(await programHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const found = await findCommand(argv);
  if (!found) {
    const group = Object.keys(commandLoaders).filter((name) => name.startsWith(`${argv[0]} `));
    if (group.length > 0) {
      const names = group.join(', ');
      throw new UsageError(`\`${argv.join(' ')}\` is not a command`, `use one of: ${names}`);
    }
    throw new UsageError(`unknown command "${argv[0]}"`, `run \`${PROGRAM} --help\` to list the commands`);
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  let args: ParsedArgs;
  try {
    args = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false })
      .values as ParsedArgs;
  } catch (error) {
    throw new UsageError((error as Error).message, `run \`${PROGRAM} ${command.name} --help\``);
  }
  const result = await command.run(args);
  const output = args.json ? JSON.stringify(result.data, null, 2) : result.text;
  if (output) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  return result.exitCode ?? 0;
}

function reportFailure(error: unknown): number {
  if (isUserError(error)) {
    process.stderr.write(`${PROGRAM}: ${error.describe()}\n`);
    return 2;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `${PROGRAM}: unexpected failure. This is a bug; please report it with the lines below.\n${detail}\n`,
  );
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error);
  },
);
