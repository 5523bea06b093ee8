import { arnKey } from '../../domain/arn';
import type { GroupMembers, IamUser } from '../../domain/aws-auth/desired-state';
import { blockedBy, iamNameKey, sameIamName, type UnreadGroup } from '../../domain/aws-auth/iam-groups';
import { appliesTo, type ClusterConfig } from '../../domain/config/config';
import type { UnreachablePlace } from '../../domain/fleet/fleet-members';
import { encodeLastSync } from '../../domain/fleet/last-sync';
import { oncePerRun } from '../access-entries/principal-ids';
import type { Fleet, SyncRecords } from '../fleet/fleet-ports';
import { onFleet } from '../fleet/on-fleet';
import { mapLimited } from '../map-limited';
import type { Clock, IamDirectory } from '../ports';
import { type ClusterResult, emptyResult } from './cluster-result';
import { rollbackCluster } from './rollback';
import type { SyncDeps } from './sync-cluster';
import { type BackendDeps, syncClusterBackend } from './sync-cluster-backend';
import type { SyncCommand } from './sync-command';

export interface SyncAccessDeps extends BackendDeps {
  iam: IamDirectory;
  /** The managed clusters beyond `clusters:` (bootstrap selectors'); absent: the config's clusters only. */
  fleet?: Fleet;
  /** Where each cluster's last result is kept for the fleet view; absent: not kept. */
  records?: SyncRecords;
  clock?: Clock;
  /** Told about each cluster as soon as it is done (the CLI's progress). */
  onClusterDone?: (result: ClusterResult) => void;
}

export interface SyncSummary {
  command: SyncCommand['kind'];
  why: string;
  clusters: ClusterResult[];
  /** Accounts and regions that could not be listed: their clusters were not synced (nor taken for gone). */
  unreachablePlaces?: UnreachablePlace[];
}

/** The syncAccess use case: every trigger becomes one of three commands over the fleet's clusters. */
export function syncAccess(fleetDeps: SyncAccessDeps) {
  const concurrency = fleetDeps.concurrency ?? 4;
  return async function run(command: SyncCommand): Promise<SyncSummary> {
    const { config, unreachablePlaces } = await onFleet(fleetDeps.config, fleetDeps.fleet);
    const deps = {
      ...fleetDeps,
      config,
      done: recorder(fleetDeps, command),
      // One GetRole per configured role per run, not per cluster.
      ...(fleetDeps.principals ? { principals: oncePerRun(fleetDeps.principals) } : {}),
    };
    const summary = (clusters: ClusterResult[]) => {
      for (const result of clusters) deps.onClusterDone?.(result);
      return {
        command: command.kind,
        why: command.why,
        clusters,
        ...(unreachablePlaces.length > 0 ? { unreachablePlaces } : {}),
      };
    };
    if (command.kind === 'rollback') {
      const clusters = select(deps, command.clusters, unreachablePlaces);
      return summary(
        await mapLimited(clusters, concurrency, async (c) =>
          deps.done(c, await rollbackCluster(deps, c, command.requestId)),
        ),
      );
    }
    if (command.kind === 'membership') return summary(await membershipChange(deps, command, concurrency));
    const clusters = select(deps, command.clusters, unreachablePlaces);
    const request = { apply: command.apply, force: command.force };
    return summary(await syncWithMembers(deps, clusters, request, concurrency));
  };
}

function select(deps: SyncDeps, names?: string[], unreachable: UnreachablePlace[] = []): ClusterConfig[] {
  if (!names) return deps.config.clusters;
  const unknown = names.filter((n) => !deps.config.clusters.some((c) => c.name === n));
  if (unknown.length > 0) {
    const unlisted = unreachable.map((p) => p.reason).join('; ');
    throw new UnknownClusterError(
      `not in the config nor found by its selectors: ${unknown.join(', ')}${unlisted ? ` (not listed: ${unlisted})` : ''}`,
    );
  }
  return deps.config.clusters.filter((c) => names.includes(c.name));
}

export class UnknownClusterError extends Error {
  override name = 'UnknownClusterError';
}

/**
 * Reads every group mapped on these clusters, then syncs each cluster whose groups were all read.
 * A cluster with a group that is missing or failed to read changes nothing (a partial read would
 * look like people leaving); the other clusters sync as usual.
 */
async function syncWithMembers(
  deps: RunDeps,
  clusters: ClusterConfig[],
  request: { apply: boolean; force: boolean },
  concurrency: number,
): Promise<ClusterResult[]> {
  const { members, unread } = await readMembers(deps, clusters);
  return mapLimited(clusters, concurrency, async (c) => {
    const blocked = blockedBy(deps.config, c.name, unread);
    const result = blocked
      ? emptyResult(c.name, blocked.status, blocked.reason)
      : await syncClusterBackend(deps, c, { ...request, members });
    return request.apply ? deps.done(c, result) : result;
  });
}

/** Every member of every group mapped on these clusters, each group read completely or listed as unread. */
async function readMembers(
  deps: SyncAccessDeps,
  clusters: ClusterConfig[],
): Promise<{ members: GroupMembers; unread: UnreadGroup[] }> {
  const groups = deps.config.groups
    .filter((g) => clusters.some((c) => appliesTo(g, c.name)))
    .map((g) => g.iamGroup);
  const members = new Map<string, IamUser[]>();
  const unread: UnreadGroup[] = [];
  await mapLimited(groups, 4, async (group) => {
    try {
      const users = await deps.iam.groupMembers(group);
      if (users === undefined) unread.push({ group, missing: true });
      else members.set(group, users);
    } catch (error) {
      unread.push({ group, missing: false, error: (error as Error).message });
    }
  });
  return { members, unread };
}

/**
 * The fast path for AddUserToGroup / RemoveUserFromGroup, one event or a batch of them: two IAM
 * calls per user, only the clusters whose mappings name a changed group, and on each of them one
 * read and at most one write limited to those users' entries.
 */
async function membershipChange(
  deps: RunDeps,
  command: Extract<SyncCommand, { kind: 'membership' }>,
  concurrency: number,
): Promise<ClusterResult[]> {
  const changedGroups = new Set(command.changes.map((c) => iamNameKey(c.group)));
  const mapped = deps.config.groups.filter((g) => changedGroups.has(iamNameKey(g.iamGroup)));
  const clusters = deps.config.clusters.filter((c) => mapped.some((g) => appliesTo(g, c.name)));
  if (clusters.length === 0) return [];
  const userNames = [
    ...new Set(
      command.changes
        .filter((c) => mapped.some((g) => sameIamName(g.iamGroup, c.group)))
        .map((c) => c.userName),
    ),
  ];
  let found: Awaited<ReturnType<IamDirectory['userGroups']>>[];
  try {
    found = await mapLimited(userNames, 4, (name) => deps.iam.userGroups(name));
  } catch (error) {
    const reason = `IAM could not be read, nothing changed: ${(error as Error).message}`;
    return Promise.all(clusters.map((c) => deps.done(c, emptyResult(c.name, 'error', reason))));
  }
  if (found.some((f) => f === undefined)) {
    // A user is gone already; a full reconcile of these clusters removes what is left of them.
    return syncWithMembers(deps, clusters, { apply: true, force: false }, concurrency);
  }
  const members = new Map<string, IamUser[]>();
  const scope = new Set<string>();
  for (const entry of found) {
    if (!entry) continue;
    scope.add(arnKey(entry.user.arn));
    for (const group of entry.groups) members.set(group, [...(members.get(group) ?? []), entry.user]);
  }
  return mapLimited(clusters, concurrency, async (c) =>
    deps.done(c, await syncClusterBackend(deps, c, { apply: true, force: false, members, scope })),
  );
}

type RunDeps = SyncAccessDeps & { done: (c: ClusterConfig, result: ClusterResult) => Promise<ClusterResult> };

/**
 * What is done with each cluster's result of a run that may write: kept on the cluster for the
 * fleet view. Keeping it is best effort: a failure is a warning, never the sync's failure.
 */
function recorder(deps: SyncAccessDeps, command: SyncCommand): RunDeps['done'] {
  const { records } = deps;
  if (!records) return async (_c, result) => result;
  const now = () => deps.clock?.now() ?? new Date();
  return async (cluster, result) => {
    try {
      await records.record(cluster, encodeLastSync(result, now(), command.why));
      return result;
    } catch (error) {
      return {
        ...result,
        warnings: [...result.warnings, `last sync not recorded: ${(error as Error).message}`],
      };
    }
  };
}
