import { UsageError } from './cli-error';

export interface ParsedArgs {
  command: string;
  options: Record<string, string | true>;
}

/** `command --name value --flag`; every option must be one the command knows. */
export function parseArgs(argv: string[], known: Record<string, 'value' | 'flag'>): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('a command is needed: render, plan or apply');
  const options: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const name = arg.replace(/^--/, '');
    const kind = arg.startsWith('--') ? known[name] : undefined;
    if (!kind) throw new UsageError(`unknown argument ${arg}`);
    if (kind === 'flag') options[name] = true;
    else {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      options[name] = value;
    }
  }
  return { command, options };
}

export function required(args: ParsedArgs, name: string): string {
  const value = args.options[name];
  if (typeof value !== 'string') throw new UsageError(`${args.command} needs --${name}`);
  return value;
}
