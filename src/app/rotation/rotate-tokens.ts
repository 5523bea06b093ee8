import { identityOf, showCluster } from '../../domain/config/cluster-identity';
import type { ClusterConfig } from '../../domain/config/config';
import type { UnreachablePlace } from '../../domain/fleet/fleet-members';
import {
  clustersOf,
  type ExternalUser,
  secretNameFor,
  UnknownAccountError,
} from '../../domain/rotation/external-users';
import { onFleet } from '../fleet/on-fleet';
import { mapLimited } from '../map-limited';
import { announceRotations } from './announce-rotations';
import { type OffboardResult, offboard } from './offboard';
import { rotateUser, type UserRotationResult } from './rotate-user';
import type { RotationCommand } from './rotation-command';
import { UnknownExternalUserError } from './rotation-errors';
import type { RotateTokensDeps, StoredSecret } from './rotation-ports';
import { runStep, type StepOutcome } from './rotation-steps';
import {
  type OpenCluster,
  openCluster,
  type RotationTarget,
  secretNameOf,
  targetFor,
  targetOfSecret,
} from './rotation-target';

/** What a scheduled or manual run did: the invoke result. Never holds a token. */
export interface RotateTokensSummary {
  trigger: 'schedule' | 'manual';
  why: string;
  users: UserRotationResult[];
  offboarded: OffboardResult[];
  /** The earliest expiry among the kubeconfigs this run saw or made. */
  soonestExpiry?: string;
  /** Accounts and regions that could not be listed: their clusters' kubeconfigs were neither rotated nor offboarded. */
  unreachablePlaces?: UnreachablePlace[];
}

/** What one Secrets Manager rotation step did. A failed step throws, so Secrets Manager sees it fail. */
export interface StepSummary {
  trigger: 'step';
  why: string;
  step: StepOutcome['step'];
  secret: string;
  versionId: string;
  status: StepOutcome['status'];
  expiresAt?: string;
  warnings: string[];
  revoked: number;
}

/** The rotateTokens use case: schedule, manual invoke, or one step of a Secrets Manager rotation. */
export function rotateTokens(fleetDeps: RotateTokensDeps) {
  return async function run(command: RotationCommand): Promise<RotateTokensSummary | StepSummary> {
    const { config, unreachablePlaces } = await onFleet(fleetDeps.config, fleetDeps.fleet);
    const deps = { ...fleetDeps, config };
    if (command.kind === 'step') {
      const { target, secret } = await targetOfSecret(deps, command.secretId);
      const done = await announcedStep(deps, target, secret, command);
      return {
        trigger: 'step',
        why: command.why,
        step: done.step,
        secret: target.secretName,
        versionId: done.versionId,
        status: done.status,
        ...(done.expiresAt ? { expiresAt: done.expiresAt.toISOString() } : {}),
        warnings: done.warnings,
        revoked: done.revoked.length,
      };
    }
    const schedule = command.kind === 'schedule';
    const work = schedule ? everyPair(deps) : selectPairs(deps, command.user, command.cluster);
    // A failed listing stops offboarding, not rotation.
    const managed = schedule ? await deps.secrets.listManaged().catch((error: Error) => error) : undefined;
    const perCluster = await mapLimited([...work], deps.concurrency ?? 4, ([cluster, users]) =>
      rotateCluster(deps, cluster, users, managed, !schedule && command.force),
    );
    const users = perCluster.flatMap((c) => c.users);
    const expiries = users.flatMap((u) => (u.expiresAt ? [u.expiresAt] : [])).sort();
    return {
      trigger: command.kind,
      why: command.why,
      users,
      offboarded: perCluster.flatMap((c) => (c.offboarded ? [c.offboarded] : [])),
      ...(expiries[0] ? { soonestExpiry: expiries[0] } : {}),
      ...(unreachablePlaces.length > 0 ? { unreachablePlaces } : {}),
    };
  };
}

/**
 * One Secrets Manager rotation step; the finishing step announces the new AWSCURRENT, and any
 * failed step its failure (then it still throws, so Secrets Manager sees it fail).
 */
async function announcedStep(
  deps: RotateTokensDeps,
  target: RotationTarget,
  secret: StoredSecret,
  command: Extract<RotationCommand, { kind: 'step' }>,
): Promise<StepOutcome> {
  const result: UserRotationResult = {
    user: target.user.name,
    cluster: target.cluster.name,
    secret: target.secretName,
    secretArn: secret.arn,
    versionId: command.versionId,
    status: 'unchanged',
    warnings: [],
    revoked: 0,
  };
  let done: StepOutcome;
  try {
    done = await runStep(deps, target, command.step, command.versionId);
  } catch (error) {
    const reason = `${command.step} of version ${command.versionId}: ${(error as Error).message}`;
    await announceRotations(deps, target.cluster, [{ ...result, status: 'error', reason }]);
    throw error;
  }
  if (done.step === 'finishSecret' && done.status === 'done' && done.expiresAt) {
    const [announced] = await announceRotations(deps, target.cluster, [
      { ...result, status: 'rotated', expiresAt: done.expiresAt.toISOString() },
    ]);
    return { ...done, warnings: [...done.warnings, ...(announced?.warnings ?? [])] };
  }
  return done;
}

/** Users one after another on a cluster: each rotation is a handful of calls, and the order stays readable. */
async function rotateCluster(
  deps: RotateTokensDeps,
  cluster: ClusterConfig,
  users: ExternalUser[],
  /** The tool's secrets when this run offboards (an Error when they could not be listed). */
  managed: readonly StoredSecret[] | Error | undefined,
  force: boolean,
): Promise<{ users: UserRotationResult[]; offboarded?: OffboardResult }> {
  let open: OpenCluster;
  try {
    open = await openCluster(deps, cluster);
  } catch (error) {
    const reason = `reaching cluster ${cluster.name}: ${(error as Error).message}`;
    const failed = users.map(
      (user): UserRotationResult => ({
        user: user.name,
        cluster: cluster.name,
        secret: nameOrPattern(user, cluster),
        status: 'error',
        reason,
        warnings: [],
        revoked: 0,
      }),
    );
    return {
      users: await announceRotations(deps, cluster, failed),
      ...(managed ? { offboarded: offboardFailure(cluster, reason) } : {}),
    };
  }
  const results: UserRotationResult[] = [];
  for (const user of users) {
    let target: ReturnType<typeof targetFor>;
    try {
      target = targetFor(open, user, undefined, await secretNameOf(deps, open, user));
    } catch (error) {
      results.push({
        user: user.name,
        cluster: cluster.name,
        secret: nameOrPattern(user, cluster),
        status: 'error',
        reason: `finding the secret of ${user.name} on ${showCluster(identityOf(cluster))}: ${(error as Error).message}`,
        warnings: [],
        revoked: 0,
      });
      continue;
    }
    results.push(await rotateUser(deps, target, force));
  }
  const announced = await announceRotations(deps, cluster, results);
  // Offboarding comes after rotation, so a user who moved namespace has the new kubeconfig first.
  if (!managed) return { users: announced };
  if (managed instanceof Error) {
    return {
      users: announced,
      offboarded: offboardFailure(cluster, `listing the tool's secrets: ${managed.message}`),
    };
  }
  return { users: announced, offboarded: await offboard(deps, open, managed) };
}

/** The secret's name, or its pattern when the name cannot be formed (an {account} nobody knows). */
function nameOrPattern(user: ExternalUser, cluster: ClusterConfig): string {
  try {
    return secretNameFor(user, cluster);
  } catch (error) {
    if (error instanceof UnknownAccountError) return user.secretName;
    throw error;
  }
}

function offboardFailure(cluster: ClusterConfig, reason: string): OffboardResult {
  return { cluster: cluster.name, status: 'error', serviceAccounts: [], secrets: [], reason };
}

/** Every configured cluster (offboarding runs even where no user is left) with its users. */
function everyPair(deps: RotateTokensDeps): Map<ClusterConfig, ExternalUser[]> {
  const names = deps.config.clusters.map((c) => c.name);
  return new Map(
    deps.config.clusters.map((c) => [
      c,
      deps.config.externalUsers.filter((u) => clustersOf(u, names).includes(c.name)),
    ]),
  );
}

function selectPairs(
  deps: RotateTokensDeps,
  userName: string,
  clusterName?: string,
): Map<ClusterConfig, ExternalUser[]> {
  const user = deps.config.externalUsers.find((u) => u.name === userName);
  if (!user) throw new UnknownExternalUserError(`no external user named ${userName} in the config`);
  const names = clustersOf(
    user,
    deps.config.clusters.map((c) => c.name),
  );
  if (clusterName !== undefined && !names.includes(clusterName)) {
    throw new UnknownExternalUserError(
      `${userName} has no kubeconfig on cluster ${clusterName} (theirs: ${names.join(', ') || 'none'})`,
    );
  }
  const wanted = clusterName === undefined ? names : [clusterName];
  return new Map(deps.config.clusters.filter((c) => wanted.includes(c.name)).map((c) => [c, [user]]));
}
