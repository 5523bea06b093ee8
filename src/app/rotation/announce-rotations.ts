import { identityOf } from '../../domain/config/cluster-identity';
import type { ClusterConfig } from '../../domain/config/config';
import { failedNotice, type RotationNotice, rotatedNotice } from '../../domain/rotation/rotation-notice';
import type { UserRotationResult } from './rotate-user';
import type { RotateTokensDeps } from './rotation-ports';

/** The notice a user's result calls for: a new kubeconfig, a failure, or none (unchanged). */
function noticeOf(cluster: ClusterConfig, result: UserRotationResult): RotationNotice | undefined {
  const base = {
    user: result.user,
    cluster: identityOf(cluster),
    secretName: result.secret,
    secretArn: result.secretArn,
    versionId: result.versionId,
  };
  if (result.status === 'error') return failedNotice({ ...base, reason: result.reason ?? 'unknown' });
  if ((result.status === 'issued' || result.status === 'rotated') && result.versionId && result.expiresAt) {
    return rotatedNotice({ ...base, versionId: result.versionId, expiresAt: result.expiresAt });
  }
  return undefined;
}

/**
 * Announces one cluster's new kubeconfigs and failed rotations on EventBridge. A notice that cannot
 * be put does not undo the rotation: it becomes a warning on the results it was for.
 */
export async function announceRotations(
  deps: Pick<RotateTokensDeps, 'notices'>,
  cluster: ClusterConfig,
  results: UserRotationResult[],
): Promise<UserRotationResult[]> {
  if (!deps.notices) return results;
  const due = results.flatMap((r) => {
    const notice = noticeOf(cluster, r);
    return notice ? [{ result: r, notice }] : [];
  });
  if (due.length === 0) return results;
  try {
    await deps.notices.announce(due.map((d) => d.notice));
    return results;
  } catch (error) {
    const warning = `announcing the rotation on EventBridge failed: ${(error as Error).message}`;
    const missed = new Set(due.map((d) => d.result));
    return results.map((r) => (missed.has(r) ? { ...r, warnings: [...r.warnings, warning] } : r));
  }
}
