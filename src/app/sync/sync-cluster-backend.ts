import { effectiveBackend } from '../../domain/access-entries/authentication-mode';
import type { ClusterConfig } from '../../domain/config/config';
import type { EksClusters } from '../access-entries/eks-ports';
import { migrateToAccessEntries } from '../access-entries/migrate-to-access-entries';
import { type PrincipalIds, withKnownIds } from '../access-entries/principal-ids';
import { syncAccessEntries } from '../access-entries/sync-access-entries';
import { type ClusterResult, emptyResult } from './cluster-result';
import { permissionSetsFor, type SsoRoleDirectory } from './permission-set-roles';
import { type ClusterSyncRequest, type SyncDeps, syncCluster } from './sync-cluster';

export interface BackendDeps extends SyncDeps {
  /** DescribeCluster and access entries; needed by every backend but `configMap`. */
  eks?: EksClusters;
  /** IAM Identity Center roles per account; needed where the config maps a `permissionSet`. */
  ssoRoles?: SsoRoleDirectory;
  /** IAM's unique ids of the principals given access entries (a recreated one gets a new entry). */
  principals?: PrincipalIds;
}

/**
 * Syncs one cluster with its permission sets resolved to the roles of its account; a set with no
 * role there is skipped on this cluster and reported in its warnings. A run scoped to some users'
 * entries (a membership event) touches no role entry, so it lists no roles.
 */
export async function syncClusterBackend(
  deps: BackendDeps,
  cluster: ClusterConfig,
  request: ClusterSyncRequest,
): Promise<ClusterResult> {
  let resolved: Awaited<ReturnType<typeof permissionSetsFor>>;
  try {
    resolved = request.scope ? undefined : await permissionSetsFor(deps, cluster);
  } catch (error) {
    return emptyResult(cluster.name, 'error', (error as Error).message);
  }
  if (!resolved) return syncWithBackend(deps, cluster, request);
  // A permission set's role id came with ListRoles: no GetRole for it (its account may not be ours).
  const principals = resolved.roleIds.size
    ? withKnownIds(resolved.roleIds, deps.principals)
    : deps.principals;
  const result = await syncWithBackend(
    { ...deps, config: resolved.config, ...(principals ? { principals } : {}) },
    cluster,
    request,
  );
  return { ...result, warnings: [...result.warnings, ...resolved.missing] };
}

/**
 * Syncs one cluster with the backend its config names: aws-auth, access entries, whichever its
 * authentication mode allows (`auto`), or the migration from one to the other. `configMap` clusters
 * are synced exactly as before, without asking EKS anything. Access entries on a cluster that still
 * reads aws-auth (API_AND_CONFIG_MAP) are a migration that never adds to aws-auth: the tool's own
 * aws-auth entries go once their access entry is in place, and at once when no longer wanted.
 */
async function syncWithBackend(
  deps: BackendDeps,
  cluster: ClusterConfig,
  request: ClusterSyncRequest,
): Promise<ClusterResult> {
  if (cluster.backend === 'configMap') return syncCluster(deps, cluster, request);
  const { eks } = deps;
  if (!eks) {
    return emptyResult(
      cluster.name,
      'error',
      `backend ${cluster.backend} needs EKS access, which this run has not`,
    );
  }
  try {
    const described = await eks.describe(cluster);
    if (!described)
      return emptyResult(cluster.name, 'error', `EKS has no cluster ${cluster.name} in ${cluster.region}`);
    const backend = effectiveBackend(cluster.backend, described.authenticationMode, cluster);
    if (backend === 'configMap') return syncCluster(deps, cluster, request);
    if (backend === 'migrate') return migrateToAccessEntries({ ...deps, eks }, cluster, request, described);
    if (described.authenticationMode === 'API_AND_CONFIG_MAP') {
      // aws-auth still lets people in: the entries this tool wrote there must follow the config too,
      // or a user removed from IAM keeps the access the summary says was removed.
      return migrateToAccessEntries({ ...deps, eks }, cluster, { ...request, onlyOwned: true }, described);
    }
    return syncAccessEntries({ ...deps, eks }, cluster, request);
  } catch (error) {
    return emptyResult(cluster.name, 'error', (error as Error).message);
  }
}
