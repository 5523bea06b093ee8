import { nextLook } from '../../domain/bootstrap/bootstrap-recheck';
import { defaultBootstrap } from '../../domain/bootstrap/cluster-bootstrap';
import { matchCluster } from '../../domain/bootstrap/cluster-selector';
import type { BootstrapDeps, BootstrapResult, ClusterRef, RecheckMessage } from './bootstrap-ports';
import { bootstrapActiveCluster } from './bootstrap-steps';
import { cleanupCluster, homeAccountFor } from './cleanup-cluster';

/** What a bootstrapCluster invoke asks for, whatever triggered it. */
export type BootstrapCommand =
  | { kind: 'bootstrap'; cluster: ClusterRef; attempt: number; firstSeenAt: Date; why: string }
  | { kind: 'cleanup'; cluster: ClusterRef; why: string };

const waitingStatuses = new Set(['CREATING', 'PENDING']);
const workableStatuses = new Set(['ACTIVE', 'UPDATING']);

/**
 * The bootstrapCluster use case. A new cluster is looked at when its CreateCluster event comes and
 * again, through the function's own delay queue, until it is ACTIVE and everything is set up, or
 * until the time allowed since its creation runs out: then the dead-letter queue has it (and alarms).
 */
export function bootstrapCluster(deps: BootstrapDeps) {
  return async function run(command: BootstrapCommand): Promise<BootstrapResult> {
    if (command.kind === 'cleanup') return cleanupCluster(deps, command.cluster);
    const result: BootstrapResult = {
      cluster: command.cluster.name,
      region: command.cluster.region,
      ...(command.cluster.accountId ? { accountId: command.cluster.accountId } : {}),
      status: 'unchanged',
      warnings: [],
    };
    let homeAccount: string | undefined;
    try {
      homeAccount = await homeAccountFor(deps, command.cluster);
    } catch (error) {
      return later(
        deps,
        command,
        { ...result, status: 'failed', reason: (error as Error).message },
        (error as Error).message,
      );
    }
    const reach = matchCluster(deps.config, command.cluster, { ignoreTags: true, homeAccount });
    if (!reach.managed) return { ...result, status: 'ignored', reason: reach.reason };
    try {
      const described = await deps.eks.describe(reach.cluster);
      if (!described) {
        return {
          ...result,
          status: 'ignored',
          reason: `EKS has no cluster ${command.cluster.name} in ${command.cluster.region}`,
        };
      }
      // The selector decides with the tags the cluster carries now, as well as those it was created with.
      const match = matchCluster(
        deps.config,
        {
          ...command.cluster,
          accountId: command.cluster.accountId ?? described.accountId,
          tags: { ...described.tags, ...command.cluster.tags },
        },
        { homeAccount },
      );
      if (!match.managed) return { ...result, status: 'ignored', reason: match.reason };
      Object.assign(result, {
        managedBy: match.by,
        clusterStatus: described.status,
        authenticationMode: described.authenticationMode,
      });
      if (waitingStatuses.has(described.status)) {
        return await later(deps, command, { ...result, status: 'waiting' }, `cluster is ${described.status}`);
      }
      if (!workableStatuses.has(described.status)) {
        return {
          ...result,
          status: 'ignored',
          reason: `cluster is ${described.status}: nothing to bootstrap`,
        };
      }
      await bootstrapActiveCluster(deps, match, described, command.why, result);
      return { ...result, status: changedAnything(result) ? 'bootstrapped' : 'unchanged' };
    } catch (error) {
      const reason = (error as Error).message;
      return later(deps, command, { ...result, status: 'failed', reason }, reason);
    }
  };
}

/** Schedules the next look, or gives up into the dead-letter queue when the time allowed has run out. */
async function later(
  deps: BootstrapDeps,
  command: Extract<BootstrapCommand, { kind: 'bootstrap' }>,
  result: BootstrapResult,
  reason: string,
): Promise<BootstrapResult> {
  const settings = deps.config.bootstrap ?? defaultBootstrap;
  const message: RecheckMessage = {
    kind: 'eks-access-sync/bootstrap-recheck',
    cluster: command.cluster,
    attempt: command.attempt,
    firstSeenAt: command.firstSeenAt.toISOString(),
    why: command.why,
    lastReason: reason,
  };
  const decision = nextLook(command, deps.clock.now(), settings);
  if (decision.kind === 'give-up') {
    await deps.recheck.deadLetter(message, decision.reason);
    return {
      ...result,
      status: 'gave-up',
      reason: `${reason}; ${decision.reason}: sent to the dead-letter queue`,
    };
  }
  await deps.recheck.later({ ...message, attempt: decision.attempt }, decision.delaySeconds);
  return { ...result, recheck: { attempt: decision.attempt, delaySeconds: decision.delaySeconds } };
}

function changedAnything(result: BootstrapResult): boolean {
  return (
    result.selfAccess === 'granted' ||
    (result.rbac?.created.length ?? 0) +
      (result.rbac?.updated.length ?? 0) +
      (result.rbac?.removed.length ?? 0) >
      0 ||
    result.mappings?.status === 'updated' ||
    (result.externalUsers ?? []).some((u) => u.status === 'issued' || u.status === 'rotated')
  );
}
