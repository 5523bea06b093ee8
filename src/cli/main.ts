import { syncAccess } from '../app/sync/sync-access';
import { AwsAuthParseError, DomainError, InvalidArnError, InvalidConfigError } from '../domain/errors';
import { readEnvironment } from '../wiring/environment';
import { readRuntime } from '../wiring/runtime';
import { syncAccessDeps } from '../wiring/sync-access-deps';
import { parseArgs, required } from './args';
import { exitCodes, UsageError } from './cli-error';
import { render } from './render';

const usage = `usage:
  eks-access-sync render --config access.yaml --cluster NAME --iam iam.json [--current aws-auth.yaml] [--force]
  eks-access-sync plan|apply --config access.yaml [--cluster NAME] [--force] [--sandbox [.sandbox/env.json]]`;

const options = {
  config: 'value',
  cluster: 'value',
  iam: 'value',
  current: 'value',
  force: 'flag',
  sandbox: 'flag',
  'sandbox-env': 'value',
} as const;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, options);
  const force = args.options.force === true;
  if (args.command === 'render') {
    const current = args.options.current;
    const out = render({
      config: required(args, 'config'),
      cluster: required(args, 'cluster'),
      iam: required(args, 'iam'),
      ...(typeof current === 'string' ? { current } : {}),
      force,
    });
    for (const line of out.diff) process.stderr.write(`${line}\n`);
    if (out.refusal) return exitCodes.refused;
    if (out.diff.length === 0) process.stderr.write('no changes\n');
    process.stdout.write(out.configMap);
    return exitCodes.ok;
  }
  if (args.command === 'plan' || args.command === 'apply') {
    const sandboxFile =
      args.options['sandbox-env'] ?? (args.options.sandbox ? '.sandbox/env.json' : undefined);
    const env = readEnvironment({
      ...process.env,
      ACCESS_CONFIG_PATH: required(args, 'config'),
      ...(typeof sandboxFile === 'string' ? { SANDBOX_ENV_FILE: sandboxFile } : {}),
    });
    const deps = syncAccessDeps(readRuntime(env));
    deps.onClusterDone = (result) => {
      process.stderr.write(
        `cluster ${result.cluster}: ${result.status}${result.reason ? ` (${result.reason})` : ''}\n`,
      );
      for (const line of result.diff) process.stderr.write(`  ${line}\n`);
    };
    const cluster = args.options.cluster;
    const summary = await syncAccess(deps)({
      kind: 'reconcile',
      apply: args.command === 'apply',
      force,
      ...(typeof cluster === 'string' ? { clusters: [cluster] } : {}),
      why: `cli ${args.command}`,
    });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (summary.clusters.some((c) => c.status === 'error')) return 1;
    return summary.clusters.some((c) => c.status === 'refused') ? exitCodes.refused : exitCodes.ok;
  }
  throw new UsageError(`unknown command ${args.command}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`eks-access-sync: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write(`${usage}\n`);
    const invalid =
      error instanceof UsageError || error instanceof InvalidConfigError || error instanceof InvalidArnError;
    const refused = error instanceof AwsAuthParseError;
    process.exitCode = invalid
      ? exitCodes.invalidInput
      : refused
        ? exitCodes.refused
        : error instanceof DomainError
          ? 1
          : 1;
  },
);
