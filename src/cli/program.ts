import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { exitCodeOf, exitCodes } from './cli-error';
import type { LiveOptions } from './live';
import { type RenderOptions, renderCommand, required } from './render-command';
import type { Terminal } from './terminal';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const output = (answer: string, byDefault: 'text' | 'json') =>
  new Option('--output <format>', answer).choices(['text', 'json']).default(byDefault);

/**
 * The eks-access-sync command. commander: maintained, no dependencies of its own, and from one
 * declaration per command it gives --help everywhere, unknown options refused with a suggestion,
 * and checked choices.
 */
function program(terminal: Terminal, done: (code: number) => void): Command {
  const root = new Command('eks-access-sync')
    .description('Keeps EKS cluster access (aws-auth, access entries) in sync with IAM groups, safely.')
    .version(version, '-V, --version', 'the version of eks-access-sync')
    .configureOutput({ writeOut: (text) => terminal.out(text), writeErr: (text) => terminal.err(text) })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 success (changes or none), 1 a cluster failed, 2 invalid input, 3 refused.',
    );

  root
    .command('render')
    .description('Offline: print the next aws-auth of one cluster on stdout and its diff on stderr.')
    .option('--config <file>', 'access.yaml (required)')
    .option('--cluster <name>', 'the cluster, as named in the config (required)')
    .option('--iam <file>', 'each mapped IAM group → its users, as `aws iam get-group` lists them (required)')
    .option('--current <file>', 'the aws-auth of today (`kubectl get cm -n kube-system aws-auth -o yaml`)')
    .option('--force', 'render a mass removal instead of refusing it')
    .addOption(output('the diff on stderr: text or json', 'text'))
    .action((options: RenderOptions) => done(renderCommand(options, terminal)));

  for (const command of ['plan', 'apply'] as const) {
    root
      .command(command)
      .description(
        command === 'plan'
          ? 'Show what a reconcile would change on each cluster; writes nothing.'
          : 'Reconcile each cluster: write what plan shows.',
      )
      .option('--config <file>', 'access.yaml (required)')
      .option('--cluster <name>', 'only this cluster (default: every cluster in the config)')
      .option('--force', 'carry out a mass removal instead of refusing it')
      .option('--sandbox [envFile]', 'the local sandbox instead of AWS (default .sandbox/env.json)')
      .addOption(new Option('--sandbox-env <file>', 'the sandbox env file').hideHelp())
      .addOption(output('the summary on stdout: text or json (progress goes to stderr)', 'json'))
      .action(async (options: Partial<LiveOptions> & Pick<LiveOptions, 'output'>) => {
        const checked = required(command, options, ['config']);
        // Loaded here: render and --help need neither the AWS SDK nor the cluster adapters.
        const { live } = await import('./live');
        done(await live(command, checked, terminal));
      });
  }
  root
    .command('kubeconfig')
    .description(
      "Hand an external user's current kubeconfig over: a 0600 file, or stdout (never a terminal).",
    )
    .option('--config <file>', 'access.yaml (required)')
    .option('--user <name>', 'the external user, as named in the config (required)')
    .option('--cluster <name>', 'the cluster, as named in the config (required)')
    .option('--out <file>', 'the file to write (mode 0600), or - for standard output (required)')
    .option('--region <region>', "the stack's region, where the secret lives (default: your AWS region)")
    .action(
      async (options: {
        config?: string;
        user?: string;
        cluster?: string;
        out?: string;
        region?: string;
      }) => {
        const checked = required('kubeconfig', options, ['config', 'user', 'cluster', 'out']);
        // Loaded here: the other commands and --help need no Secrets Manager client.
        const { kubeconfigCommand } = await import('./kubeconfig-command');
        done(await kubeconfigCommand(checked));
      },
    );
  root
    .command('fleet')
    .description('Every managed cluster: account, region, how it was found, backend and mode, its last sync.')
    .option('--config <file>', 'access.yaml (required)')
    .option('--sandbox [envFile]', 'the local sandbox instead of AWS (default .sandbox/env.json)')
    .addOption(output('a table for a terminal, or json', 'text'))
    .action(async (options: { config?: string; sandbox?: string | true; output: 'text' | 'json' }) => {
      const { sandbox, output: format, ...checked } = required('fleet', options, ['config']);
      // Loaded here: the other commands and --help need none of the fleet's adapters.
      const { fleetCommand } = await import('./fleet-command');
      const sandboxEnv = sandbox === true ? '.sandbox/env.json' : sandbox;
      done(
        await fleetCommand(
          { ...checked, json: format === 'json', ...(sandboxEnv ? { sandboxEnv } : {}) },
          { stdout: (t) => terminal.out(t), stderr: (t) => terminal.err(t) },
        ),
      );
    });
  root
    .command('review')
    .description('Who can reach each cluster, through what, with which rights, as the cluster decides it.')
    .option('--config <file>', 'access.yaml (required)')
    .option('--cluster <name>', 'only this cluster (default: every cluster in the config)')
    .addOption(
      new Option('--output <format>', 'a table for a terminal, JSON, or one self-contained HTML page')
        .choices(['text', 'json', 'html'])
        .default('text'),
    )
    .option('--file <path>', 'write the report here instead of standard output')
    .option('--sandbox [envFile]', 'the local sandbox instead of AWS (default .sandbox/env.json)')
    .action(
      async (options: {
        config?: string;
        cluster?: string;
        output: string;
        file?: string;
        sandbox?: string | true;
      }) => {
        const { sandbox: sandboxFlag, ...checked } = required('review', options, ['config']);
        // Loaded here: the other commands and --help need none of the review's adapters.
        const { reviewCommand } = await import('./review-command');
        const sandbox = sandboxFlag === true ? '.sandbox/env.json' : sandboxFlag;
        done(
          await reviewCommand(
            { ...checked, output: options.output, ...(sandbox ? { sandbox } : {}) },
            { write: (t) => terminal.out(t), error: (t) => terminal.err(t) },
          ),
        );
      },
    );
  return root;
}

/** Runs the CLI on `argv` (without node and the script) and answers the exit code; never exits itself. */
export async function runCli(argv: string[], terminal: Terminal): Promise<number> {
  let code: number = exitCodes.ok;
  try {
    await program(terminal, (c) => {
      code = c;
    }).parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // --help and --version end here too, with exit code 0; every other parse error is invalid input.
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.invalidInput;
    terminal.err(`eks-access-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeOf(error);
  }
}
