import { identityOf } from '../../domain/config/cluster-identity';
import type { ClusterConfig } from '../../domain/config/config';
import {
  type IamRole,
  permissionSetsOn,
  type ResolvedPermissionSets,
  resolvePermissionSets,
} from '../../domain/config/permission-sets';
import type { SyncDeps } from './sync-cluster';

/** The IAM Identity Center roles of a cluster's account (ListRoles under the SSO path, every page). */
export interface SsoRoleDirectory {
  rolesFor(cluster: ClusterConfig): Promise<IamRole[]>;
}

/** The permission sets are mapped, but this run was given no way to find their roles. */
export class PermissionSetLookupError extends Error {
  override name = 'PermissionSetLookupError';
}

/**
 * The config one cluster is synced with, its permission sets resolved to the roles of its account.
 * Undefined when it maps none there (no ListRoles). A failed ListRoles throws: mapped roles must not
 * look gone because their account could not be read (fail closed).
 */
export async function permissionSetsFor(
  deps: SyncDeps & { ssoRoles?: SsoRoleDirectory | undefined },
  cluster: ClusterConfig,
): Promise<ResolvedPermissionSets | undefined> {
  if (permissionSetsOn(deps.config, cluster.name).length === 0) return undefined;
  if (!deps.ssoRoles) {
    throw new PermissionSetLookupError(
      `cluster ${cluster.name} maps permission sets, but this run cannot list IAM roles to find them`,
    );
  }
  const roles = await deps.ssoRoles.rolesFor(cluster);
  return resolvePermissionSets(
    deps.config,
    { name: cluster.name, account: identityOf(cluster).accountId },
    roles,
  );
}
