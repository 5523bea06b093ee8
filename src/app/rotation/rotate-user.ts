import { identityOf } from '../../domain/config/cluster-identity';
import { KubeconfigParseError, parseKubeconfig } from '../../domain/rotation/kubeconfig';
import { type CurrentKubeconfig, decideRotation } from '../../domain/rotation/rotation';
import {
  clusterTags,
  hasClusterIdentity,
  NotOwnedError,
  ownsSecret,
  secretTag,
  secretTags,
} from '../../domain/rotation/rotation-ownership';
import { boundSecretName, stage, versionWith } from '../../domain/rotation/rotation-versions';
import { keepReaders, type ReadersOutcome } from './keep-readers';
import { issueKubeconfig, revokeOlderTokens, verifyKubeconfig } from './kubeconfig-issuer';
import { failedWhile, RotationError } from './rotation-errors';
import type { RotateTokensDeps, ServiceAccountRef, StoredSecret } from './rotation-ports';
import { runStep } from './rotation-steps';
import { describeTarget, type RotationTarget } from './rotation-target';

/** What one run did for one user on one cluster: part of the invoke result, never a token. */
export interface UserRotationResult {
  user: string;
  cluster: string;
  secret: string;
  /** The secret's ARN, once it exists: what a cross-account reader fetches. */
  secretArn?: string;
  status: 'issued' | 'rotated' | 'unchanged' | 'error';
  /** Why it rotated, or why it failed. */
  reason?: string;
  versionId?: string;
  expiresAt?: string;
  warnings: string[];
  /** Older tokens revoked by this rotation (their bound Secrets). */
  revoked: number;
  /** Who of other accounts may read the secret now, and whether this run changed its policy. */
  readers?: ReadersOutcome;
}

/**
 * Rotates one user's kubeconfig on one cluster when it is due (or forced): the first version is
 * tested before it is stored; later ones go through the four protocol steps, and a failure leaves
 * AWSCURRENT as it was and revokes the half-made version's token.
 */
export async function rotateUser(
  deps: RotateTokensDeps,
  target: RotationTarget,
  force: boolean,
): Promise<UserRotationResult> {
  const result: UserRotationResult = {
    user: target.user.name,
    cluster: target.cluster.name,
    secret: target.secretName,
    status: 'unchanged',
    warnings: [],
    revoked: 0,
  };
  let versionId: string | undefined;
  try {
    const account = await target.access.ensureAccess(target.user);
    const secret = await ownSecret(deps, target);
    const current = await currentKubeconfig(deps, target, secret);
    const decision = decideRotation({
      now: deps.clock.now(),
      current,
      wanted: {
        server: target.endpoint.server,
        caData: target.endpoint.caData,
        namespace: account.namespace,
        serviceAccount: account.name,
        serviceAccountUid: account.uid,
      },
      rotateBefore: target.user.rotateBefore,
      force,
    });
    if (!decision.rotate) {
      return withReaders(deps, target, secret, { ...result, expiresAt: decision.expiresAt.toISOString() });
    }
    versionId = deps.newVersionId();
    const done =
      current.kind === 'none'
        ? await issueFirst(deps, target, account, secret, versionId)
        : await rotateInPlace(deps, target, versionId);
    return withReaders(deps, target, secret, {
      ...result,
      ...done,
      status: current.kind === 'none' ? 'issued' : 'rotated',
      reason: decision.reason,
      versionId,
    });
  } catch (error) {
    const reason =
      error instanceof RotationError ? error : failedWhile(`rotating ${describeTarget(target)}`, error);
    return { ...result, status: 'error', reason: reason.message, ...(versionId ? { versionId } : {}) };
  }
}

/**
 * After the kubeconfig is in place, the secret's resource policy follows the user's readers. A
 * failure there is the run's error (the alarm fires), the new kubeconfig stays.
 */
async function withReaders(
  deps: RotateTokensDeps,
  target: RotationTarget,
  secret: StoredSecret | undefined,
  done: UserRotationResult,
): Promise<UserRotationResult> {
  let arn: string | undefined;
  try {
    arn = secret?.arn || (await deps.secrets.describe(target.secretName))?.arn;
    if (!arn) throw new RotationError(`secret ${target.secretName} has no ARN`);
    return { ...done, secretArn: arn, readers: await keepReaders(deps.secrets, arn, target.user.readers) };
  } catch (error) {
    const kept =
      done.status === 'unchanged' ? 'the kubeconfig is unchanged' : `the kubeconfig was ${done.status}`;
    const reason = failedWhile(`keeping the readers of secret ${target.secretName} (${kept})`, error);
    return { ...done, ...(arn ? { secretArn: arn } : {}), status: 'error', reason: reason.message };
  }
}

/** The secret when it is this user's (restored if it was being deleted), undefined when there is none. */
async function ownSecret(deps: RotateTokensDeps, target: RotationTarget): Promise<StoredSecret | undefined> {
  const secret = await deps.secrets.describe(target.secretName);
  if (!secret) return undefined;
  if (!ownsSecret(secret.tags, { cluster: identityOf(target.cluster), user: target.user.name })) {
    throw new NotOwnedError(
      `secret ${target.secretName} exists and is not eks-access-sync's kubeconfig of ${describeTarget(target)}: left alone`,
    );
  }
  // The user was offboarded and is back: the secret is recovered, its dead token rotated away.
  if (secret.deleted) await deps.secrets.restore(target.secretName);
  // Made before secrets named their cluster's region and account: claimed for this one, so no namesake can.
  const unclaimed = !hasClusterIdentity(secret.tags);
  if (unclaimed) await deps.secrets.tag(target.secretName, clusterTags(target.cluster));
  return secret.deleted || unclaimed ? deps.secrets.describe(target.secretName) : secret;
}

async function currentKubeconfig(
  deps: RotateTokensDeps,
  target: RotationTarget,
  secret: StoredSecret | undefined,
): Promise<CurrentKubeconfig> {
  const versionId = secret && versionWith(secret.stages, stage.current);
  const text = versionId && (await deps.secrets.value(target.secretName, versionId));
  if (!text) return { kind: 'none' };
  try {
    const { server, caData, record } = parseKubeconfig(text);
    const account = { namespace: record.namespace, name: record.serviceAccount };
    const boundSecretPresent = (await target.access.boundSecret(account, record.boundSecret)) !== undefined;
    return { kind: 'readable', server, caData, record, boundSecretPresent };
  } catch (error) {
    if (error instanceof KubeconfigParseError) return { kind: 'unreadable' };
    throw error;
  }
}

/** The first kubeconfig: nobody depends on the secret yet, but it is still tested before it is stored. */
async function issueFirst(
  deps: RotateTokensDeps,
  target: RotationTarget,
  account: ServiceAccountRef,
  secret: StoredSecret | undefined,
  versionId: string,
) {
  try {
    const issued = await issueKubeconfig(deps, target, account, versionId);
    await verifyKubeconfig(deps, target, issued.kubeconfig);
    const { expiresAt } = issued.kubeconfig.record;
    const tags = { ...secretTags(target.user, target.cluster), [secretTag.expiresAt]: expiresAt };
    if (secret) await deps.secrets.put(target.secretName, versionId, issued.text, [stage.current]);
    else await deps.secrets.create(target.secretName, issued.text, versionId, tags);
    const stages = (await deps.secrets.describe(target.secretName))?.stages ?? {
      [versionId]: [stage.current],
    };
    const revoked = await revokeOlderTokens(target, stages);
    return { expiresAt, warnings: issued.warnings, revoked: revoked.length };
  } catch (error) {
    await abandon(deps, target, versionId);
    throw error;
  }
}

/** The four protocol steps in one go, as Secrets Manager would call them. */
async function rotateInPlace(deps: RotateTokensDeps, target: RotationTarget, versionId: string) {
  try {
    const created = await runStep(deps, target, 'createSecret', versionId);
    await runStep(deps, target, 'setSecret', versionId);
    await runStep(deps, target, 'testSecret', versionId);
    const finished = await runStep(deps, target, 'finishSecret', versionId);
    return {
      expiresAt: finished.expiresAt?.toISOString(),
      warnings: created.warnings,
      revoked: finished.revoked.length,
    };
  } catch (error) {
    await abandon(deps, target, versionId);
    throw error;
  }
}

/**
 * After a failed rotation: unless the version made it to AWSCURRENT, its token is revoked and its
 * AWSPENDING label dropped, so the failure leaves no extra valid token behind. Best effort: the
 * next successful rotation revokes whatever this misses.
 */
async function abandon(deps: RotateTokensDeps, target: RotationTarget, versionId: string): Promise<void> {
  try {
    const stages = (await deps.secrets.describe(target.secretName))?.stages ?? {};
    if (stages[versionId]?.includes(stage.current)) return;
    const account = { namespace: target.user.namespace, name: target.user.name };
    const bound = await target.access.boundSecret(account, boundSecretName(account.name, versionId));
    if (bound) await target.access.revoke(bound);
    if (stages[versionId]?.includes(stage.pending)) {
      await deps.secrets.removeStage(target.secretName, stage.pending, versionId);
    }
  } catch {
    // The failure being reported matters more than this clean-up's.
  }
}
