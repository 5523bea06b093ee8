import { arnKey, authenticatorRoleArn, parsePrincipalArn } from '../arn';
import type { AccessPolicyConfig } from '../bootstrap/cluster-bootstrap';
import { type AccessConfig, appliesTo } from '../config/config';
import type { Section } from './aws-auth';
import { membersOf } from './iam-groups';

/** An IAM user as IAM's GetGroup lists it. */
export interface IamUser {
  userName: string;
  arn: string;
  /** IAM's unique id (UserId), which GetGroup gives with each member: no GetUser per user to learn it. */
  userId?: string;
}

/** Members of each mapped IAM group, keyed by its name in any spelling (IAM names ignore case). */
export type GroupMembers = ReadonlyMap<string, readonly IamUser[]>;

/** An entry the config wants in a cluster's aws-auth. */
export interface DesiredEntry {
  section: Section;
  arn: string;
  key: string;
  username: string;
  groups: string[];
  /** Where it comes from, for plans a person reads: `group eks-admins`, `role AdminRole`. */
  sources: string[];
  /** The ARN as configured or as IAM gives it, role path kept: what an access entry names. Default: `arn`. */
  principalArn?: string;
  /** The mappings' EKS access policies, for the access-entries backend (aws-auth has none). */
  accessPolicies?: AccessPolicyConfig[];
  /** IAM's unique id of the principal where IAM already gave it (a group member's UserId). */
  principalId?: string;
}

/**
 * What aws-auth should hold for one cluster: one mapUsers entry per member of a mapped group
 * (the union of its groups' Kubernetes groups) and one mapRoles entry per mapped role, written
 * without its path, the only form the authenticator can match.
 */
export function desiredEntries(config: AccessConfig, cluster: string, members: GroupMembers): DesiredEntry[] {
  const byKey = new Map<string, DesiredEntry>();
  for (const mapping of config.groups) {
    if (!appliesTo(mapping, cluster)) continue;
    for (const user of membersOf(members, mapping.iamGroup)) {
      const arn = parsePrincipalArn(user.arn, 'user').arn;
      const key = arnKey(arn);
      const entry = byKey.get(key) ?? {
        section: 'mapUsers' as const,
        arn,
        key,
        username: user.userName,
        groups: [],
        sources: [],
        principalArn: arn,
        accessPolicies: [],
        ...(user.userId ? { principalId: user.userId } : {}),
      };
      entry.groups.push(...mapping.kubernetesGroups);
      entry.accessPolicies?.push(...(mapping.accessPolicies ?? []));
      entry.sources.push(`group ${mapping.iamGroup}`);
      byKey.set(key, entry);
    }
  }
  for (const mapping of config.roles) {
    // A permission set not resolved to its role in this cluster's account (permission-sets.ts) maps no one here.
    if (!appliesTo(mapping, cluster) || mapping.roleArn === undefined) continue;
    const role = parsePrincipalArn(mapping.roleArn, 'role');
    const arn = authenticatorRoleArn(role);
    byKey.set(arnKey(arn), {
      section: 'mapRoles',
      arn,
      key: arnKey(arn),
      username: mapping.username,
      groups: [...mapping.kubernetesGroups],
      sources: [
        mapping.permissionSet === undefined
          ? `role ${mapping.roleArn}`
          : `permission set ${mapping.permissionSet} (${mapping.roleArn})`,
      ],
      principalArn: role.arn,
      accessPolicies: [...(mapping.accessPolicies ?? [])],
    });
  }
  return [...byKey.values()]
    .map((entry) => ({ ...entry, groups: sortedUnique(entry.groups), sources: sortedUnique(entry.sources) }))
    .sort(byEntryKey);
}

export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

export function byEntryKey(a: { section: string; key: string }, b: { section: string; key: string }): number {
  return a.section === b.section
    ? a.key < b.key
      ? -1
      : a.key > b.key
        ? 1
        : 0
    : a.section < b.section
      ? -1
      : 1;
}
