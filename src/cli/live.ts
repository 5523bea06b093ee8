import type { ClusterResult } from '../app/sync/cluster-result';
import { type SyncSummary, syncAccess } from '../app/sync/sync-access';
import { readEnvironment } from '../wiring/environment';
import { readRuntime } from '../wiring/runtime';
import { syncAccessDeps } from '../wiring/sync-access-deps';
import { exitCodes } from './cli-error';
import { paint, paintDiffLine, type Terminal } from './terminal';

export interface LiveOptions {
  config: string;
  cluster?: string;
  force?: boolean;
  /** `true`: the sandbox's default env file; a string: that file. */
  sandbox?: string | true;
  sandboxEnv?: string;
  output: 'text' | 'json';
}

const statusColour = (status: ClusterResult['status']) =>
  status === 'error' || status === 'refused' ? 'red' : status === 'unchanged' ? 'dim' : 'green';

/** One line per cluster and its diff, as the run goes: progress, on stderr. */
function progressLine(terminal: Terminal, result: ClusterResult): void {
  const colour = terminal.colour.err;
  const status = paint(colour, statusColour(result.status), result.status);
  terminal.err(`cluster ${result.cluster}: ${status}${result.reason ? ` (${result.reason})` : ''}\n`);
  for (const line of result.diff) terminal.err(`  ${paintDiffLine(colour, line)}\n`);
}

/** The answer on stdout: the JSON summary, or a line per cluster for a person. */
function answer(terminal: Terminal, summary: SyncSummary, output: LiveOptions['output']): void {
  if (output === 'json') {
    terminal.out(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  for (const c of summary.clusters) {
    const counts = `+${c.added.length} -${c.removed.length} ~${c.changed.length}, ${c.unchanged} unchanged`;
    const status = paint(terminal.colour.out, statusColour(c.status), c.status);
    terminal.out(`${c.cluster}: ${status} (${counts})${c.reason ? `: ${c.reason}` : ''}\n`);
  }
}

/** `plan` and `apply` against live clusters (or the sandbox): a reconcile, with progress per cluster. */
export async function live(
  command: 'plan' | 'apply',
  options: LiveOptions,
  terminal: Terminal,
): Promise<number> {
  const sandboxFile =
    options.sandboxEnv ?? (options.sandbox === true ? '.sandbox/env.json' : options.sandbox);
  const env = readEnvironment({
    ...process.env,
    ACCESS_CONFIG_PATH: options.config,
    ...(sandboxFile ? { SANDBOX_ENV_FILE: sandboxFile } : {}),
  });
  const deps = syncAccessDeps(readRuntime(env));
  deps.onClusterDone = (result) => progressLine(terminal, result);
  const summary = await syncAccess(deps)({
    kind: 'reconcile',
    apply: command === 'apply',
    force: options.force === true,
    ...(options.cluster ? { clusters: [options.cluster] } : {}),
    why: `cli ${command}`,
  });
  answer(terminal, summary, options.output);
  if (summary.clusters.some((c) => c.status === 'error')) return exitCodes.failed;
  return summary.clusters.some((c) => c.status === 'refused') ? exitCodes.refused : exitCodes.ok;
}
