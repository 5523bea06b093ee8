import type { ClusterConfig } from '../../domain/config/config';
import { type ClusterResult, emptyResult } from '../sync/cluster-result';
import { type ClusterSyncRequest, syncCluster } from '../sync/sync-cluster';
import type { ClusterDescription } from './eks-ports';
import { type AccessEntriesDeps, accessEntrySide, summarizeAccessEntries } from './sync-access-entries';

/**
 * A cluster moving from aws-auth to access entries (`backend: migrate`, and `accessEntries`/`auto`
 * while the cluster still reads aws-auth). The access entries are created first; only a principal
 * whose access entry is in place loses this tool's aws-auth entry, so nobody is locked out in
 * between, while an entry nobody wants any more goes at once, even when EKS failed. The plan shows
 * both sides.
 */
export async function migrateToAccessEntries(
  deps: AccessEntriesDeps,
  cluster: ClusterConfig,
  request: ClusterSyncRequest,
  described: ClusterDescription,
): Promise<ClusterResult> {
  let accessEntries: ClusterResult;
  let covered: Set<string>;
  try {
    const side = await accessEntrySide(deps, cluster, request);
    accessEntries = summarizeAccessEntries(cluster.name, side, request.apply);
    // Only principals whose access entry is this tool's and as wanted leave aws-auth.
    covered = new Set(side.plan.inPlace.map((d) => d.awsAuthKey));
  } catch (error) {
    // No entry leaves aws-auth for being covered; those nobody wants any more still go.
    accessEntries = emptyResult(
      cluster.name,
      'error',
      `${(error as Error).message}; aws-auth keeps every entry still wanted until the access entries are in place`,
    );
    covered = new Set();
  }
  if (described.authenticationMode === 'API') {
    // EKS reads no aws-auth in API mode: there is nothing left to migrate from.
    return {
      ...accessEntries,
      warnings: [...accessEntries.warnings, 'authenticationMode API: aws-auth not read'],
    };
  }
  const awsAuth = await syncCluster(deps, cluster, { ...request, exclude: covered });
  return combine(accessEntries, awsAuth);
}

/** One summary for both sides: access entries first, then what aws-auth lost or kept. */
function combine(accessEntries: ClusterResult, awsAuth: ClusterResult): ClusterResult {
  const worst = (['error', 'refused', 'updated', 'planned', 'unchanged'] as const).find(
    (s) => accessEntries.status === s || awsAuth.status === s,
  );
  const reasons = [accessEntries.reason, awsAuth.reason && `aws-auth: ${awsAuth.reason}`].filter(Boolean);
  return {
    ...accessEntries,
    status: worst ?? 'unchanged',
    added: [...accessEntries.added, ...awsAuth.added],
    removed: [...accessEntries.removed, ...awsAuth.removed],
    changed: [...accessEntries.changed, ...awsAuth.changed],
    unchanged: accessEntries.unchanged,
    conflicts: [...accessEntries.conflicts, ...awsAuth.conflicts],
    withheld: [...accessEntries.withheld, ...awsAuth.withheld],
    warnings: [...accessEntries.warnings, ...awsAuth.warnings],
    diff: [...accessEntries.diff, ...awsAuth.diff],
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    ...(awsAuth.conflictRetries ? { conflictRetries: awsAuth.conflictRetries } : {}),
  };
}
