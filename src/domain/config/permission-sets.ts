import { arnKey } from '../arn';
import type { AccessConfig, RoleMapping } from './config';
import { appliesTo } from './config';

/** Where IAM Identity Center puts the roles it makes for permission sets, in every account. */
export const ssoRolePathPrefix = '/aws-reserved/sso.amazonaws.com/';

/** A role as IAM ListRoles gives it. */
export interface IamRole {
  roleName: string;
  arn: string;
  /** IAM's unique id (RoleId), which ListRoles gives with each role. */
  roleId?: string;
}

/** What resolving a cluster's permission-set mappings found: the config to sync it with, and what was not there. */
export interface ResolvedPermissionSets {
  /** The config with each found permission set mapped by its role's ARN; a missing one left out. */
  config: AccessConfig;
  /** One line per permission set without exactly one role in the cluster's account, by name. */
  missing: string[];
  /** The RoleId ListRoles gave for each role a permission set resolved to, by the role ARN's key. */
  roleIds: Map<string, string>;
}

/** The permission sets the config maps on a cluster; empty when it needs no ListRoles there. */
export function permissionSetsOn(config: AccessConfig, cluster: string): string[] {
  const names = config.roles
    .filter((m) => m.permissionSet !== undefined && appliesTo(m, cluster))
    .map((m) => m.permissionSet as string);
  return [...new Set(names)].sort();
}

/**
 * The role Identity Center made for a permission set: `AWSReservedSSO_<set>_<16 hex>`. The suffix is
 * matched exactly, so `Dev` never picks the role of a set named `Dev_Ops`. Role names ignore case in
 * IAM; permission set names are compared the same way.
 */
export function rolesOfPermissionSet(roles: readonly IamRole[], permissionSet: string): IamRole[] {
  const prefix = `awsreservedsso_${permissionSet.toLowerCase()}_`;
  return roles
    .filter((r) => {
      const name = r.roleName.toLowerCase();
      return name.startsWith(prefix) && /^[0-9a-f]{16}$/.test(name.slice(prefix.length));
    })
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}

/**
 * The config one cluster is synced with: each `permissionSet` mapping that applies to it becomes a
 * mapping of the role found in its account (written without path later, as every role); one whose
 * set has no role there (or, impossibly, two) is skipped on this cluster only and named in `missing`.
 */
export function resolvePermissionSets(
  config: AccessConfig,
  /** `account` undefined: the function's own (a listed cluster without accountId or roleArn). */
  cluster: { name: string; account?: string | undefined },
  ssoRoles: readonly IamRole[],
): ResolvedPermissionSets {
  const missing: string[] = [];
  const roles: RoleMapping[] = [];
  const roleIds = new Map<string, string>();
  const where = cluster.account ? `account ${cluster.account}` : "the function's own account";
  for (const mapping of config.roles) {
    if (mapping.permissionSet === undefined || !appliesTo(mapping, cluster.name)) {
      roles.push(mapping);
      continue;
    }
    const found = rolesOfPermissionSet(ssoRoles, mapping.permissionSet);
    if (found.length === 1 && found[0]) {
      roles.push({ ...mapping, roleArn: found[0].arn });
      if (found[0].roleId) roleIds.set(arnKey(found[0].arn), found[0].roleId);
    } else {
      const why =
        found.length === 0
          ? 'has no role'
          : `has ${found.length} roles (${found.map((r) => r.roleName).join(', ')})`;
      missing.push(
        `permission set ${mapping.permissionSet} ${why} in ${where} of cluster ${cluster.name}: its mapping is skipped there`,
      );
    }
  }
  return { config: { ...config, roles }, missing: missing.sort(), roleIds };
}
