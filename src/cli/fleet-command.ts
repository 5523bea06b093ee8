import { type FleetEntry, type FleetReport, fleetView } from '../app/fleet/fleet-view';
import type { SyncAccessDeps } from '../app/sync/sync-access';
import { InvalidConfigError } from '../domain/errors';
import { readEnvironment } from '../wiring/environment';
import { readRuntime } from '../wiring/runtime';
import { syncAccessDeps } from '../wiring/sync-access-deps';
import { exitCodes } from './cli-error';

export interface FleetCommandOptions {
  /** access.yaml */
  config: string;
  /** The sandbox's env.json, to list the sandbox's moto instead of AWS. */
  sandboxEnv?: string;
  /** The report as JSON on stdout instead of a table. */
  json?: boolean;
}

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Builds syncAccess' dependencies from the config and the environment, as the function does. */
function liveDeps(options: FleetCommandOptions): SyncAccessDeps {
  const env = readEnvironment({
    ...process.env,
    ACCESS_CONFIG_PATH: options.config,
    ...(options.sandboxEnv ? { SANDBOX_ENV_FILE: options.sandboxEnv } : {}),
  });
  return syncAccessDeps(readRuntime(env));
}

/**
 * `eks-access-sync fleet --config access.yaml [--json]`: every managed cluster, how it was found,
 * its backend and authentication mode, and its last sync. Exit 0 when the whole fleet was seen, 1
 * when a place could not be listed or a cluster not described (the list is then incomplete), 2 for
 * an invalid config.
 */
export async function fleetCommand(
  options: FleetCommandOptions,
  out: Output = processOutput,
  deps: (options: FleetCommandOptions) => Pick<SyncAccessDeps, 'config' | 'fleet' | 'eks'> = liveDeps,
): Promise<number> {
  let report: FleetReport;
  try {
    report = await fleetView(deps(options))('cli fleet');
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    out.stderr(`eks-access-sync: ${error.message}\n`);
    return exitCodes.invalidInput;
  }
  if (options.json) out.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else out.stdout(fleetTable(report));
  for (const place of report.unreachablePlaces) out.stderr(`not listed: ${place.reason}\n`);
  for (const entry of report.fleet.filter((e) => e.problem))
    out.stderr(`not described: ${entry.cluster} (${entry.region}): ${entry.problem}\n`);
  const complete = report.unreachablePlaces.length === 0 && report.fleet.every((e) => !e.problem);
  return complete ? exitCodes.ok : 1;
}

const columns = ['CLUSTER', 'REGION', 'ACCOUNT', 'FOUND BY', 'BACKEND', 'MODE', 'LAST SYNC'] as const;

/** The report as aligned columns, one line per cluster. */
export function fleetTable(report: FleetReport): string {
  const rows = report.fleet.map((e) => [
    e.cluster,
    e.region,
    e.accountId ?? '-',
    e.foundBy,
    e.backend,
    e.authenticationMode ?? '?',
    lastSyncText(e),
  ]);
  const all = [[...columns], ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function lastSyncText(entry: FleetEntry): string {
  const last = entry.lastSync;
  if (!last) return entry.problem ? '?' : 'never recorded';
  const counts = `+${last.added} -${last.removed} ~${last.changed}`;
  return `${last.status} ${last.at} ${counts}${last.note ? ` (${last.note})` : ''}`;
}
