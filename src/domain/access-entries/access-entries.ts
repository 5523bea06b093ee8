import { arnKey } from '../arn';
import { type DesiredEntry, sortedUnique } from '../aws-auth/desired-state';
import type { AccessPolicyConfig } from '../bootstrap/cluster-bootstrap';

/**
 * EKS access entries as this tool sees them. The entries it creates carry a tag; every other entry
 * (node groups, Fargate, the cluster creator, hand-made ones) is never changed or deleted.
 */
export const managedTag = { key: 'eks-access-sync.io/managed', value: 'true' } as const;

/** Access entries cannot name `system:` groups; cluster-admin is an access policy instead. */
export const clusterAdminPolicy = 'AmazonEKSClusterAdminPolicy';

/** An access policy association, scope normalised: `cluster`, or the sorted namespaces. */
export interface AssociatedPolicy {
  policy: string;
  scope: 'cluster' | { namespaces: string[] };
}

/** What a principal gets on the cluster: the part of an access entry a plan compares. */
export interface AccessGrant {
  username: string;
  groups: string[];
  policies: AssociatedPolicy[];
}

/** An access entry the cluster holds, as DescribeAccessEntry gives it. */
export interface AccessEntry {
  principalArn: string;
  key: string;
  /** STANDARD, EC2_LINUX, FARGATE_LINUX, …: only STANDARD entries are ever this tool's. */
  type: string;
  username: string;
  groups: string[];
  tags: Record<string, string>;
  /** Read only where a plan needs them (entries this tool owns or may adopt). */
  policies?: AssociatedPolicy[];
}

/** An access entry the config wants: the same desired state as aws-auth, role paths kept. */
export interface DesiredAccessEntry extends AccessGrant {
  principalArn: string;
  key: string;
  /** The key of the same principal's aws-auth entry (role path dropped): what a migration removes. */
  awsAuthKey: string;
  sources: string[];
  /** IAM's unique id of the principal, where IAM gave it with the desired state (a group member's UserId). */
  principalId?: string;
}

/** This tool's: tagged as made by it, and STANDARD (a tag on a node or Fargate entry makes it no one's but EKS's). */
export function isOwned(entry: Pick<AccessEntry, 'tags' | 'type'>): boolean {
  return entry.type === 'STANDARD' && entry.tags[managedTag.key] === managedTag.value;
}

/**
 * The desired aws-auth entries as access entries. `system:masters` becomes the cluster-admin
 * access policy, because EKS refuses `system:` groups in an access entry.
 */
export function desiredAccessEntries(desired: readonly DesiredEntry[]): {
  entries: DesiredAccessEntry[];
  warnings: string[];
} {
  const warnings: string[] = [];
  const entries = desired.map((entry) => {
    const principalArn = entry.principalArn ?? entry.arn;
    const policies = [...(entry.accessPolicies ?? [])];
    if (entry.groups.includes('system:masters')) {
      policies.push({ policy: clusterAdminPolicy, scope: 'cluster' });
      warnings.push(
        `${principalArn}: system:masters cannot be an access entry group; ${clusterAdminPolicy} (cluster scope) is associated instead`,
      );
    }
    return {
      principalArn,
      key: arnKey(principalArn),
      awsAuthKey: entry.key,
      username: entry.username,
      groups: entry.groups.filter((g) => g !== 'system:masters'),
      policies: mergePolicies(policies),
      sources: entry.sources,
      ...(entry.principalId ? { principalId: entry.principalId } : {}),
    };
  });
  return { entries: entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), warnings };
}

/** One association per policy: a cluster scope covers every namespace; namespace scopes are united. */
export function mergePolicies(
  policies: readonly (AccessPolicyConfig | AssociatedPolicy)[],
): AssociatedPolicy[] {
  const byPolicy = new Map<string, AssociatedPolicy>();
  for (const { policy, scope } of policies) {
    const known = byPolicy.get(policy);
    if (scope === 'cluster' || known?.scope === 'cluster') {
      byPolicy.set(policy, { policy, scope: 'cluster' });
    } else {
      const namespaces = [
        ...(known ? (known.scope as { namespaces: string[] }).namespaces : []),
        ...scope.namespaces,
      ];
      byPolicy.set(policy, { policy, scope: { namespaces: sortedUnique(namespaces) } });
    }
  }
  return [...byPolicy.values()].sort((a, b) => (a.policy < b.policy ? -1 : 1));
}

export function samePolicy(a: AssociatedPolicy, b: AssociatedPolicy): boolean {
  if (a.policy !== b.policy) return false;
  if (a.scope === 'cluster' || b.scope === 'cluster') return a.scope === b.scope;
  return a.scope.namespaces.join('\n') === b.scope.namespaces.join('\n');
}

export function showPolicy(p: AssociatedPolicy): string {
  return `${p.policy}(${p.scope === 'cluster' ? 'cluster' : p.scope.namespaces.join(' ')})`;
}

/** The EKS ARN of a managed access policy, in the cluster's partition. */
export function accessPolicyArn(policy: string, partition = 'aws'): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${policy}`;
}

/** The policy name from its ARN (`…:cluster-access-policy/AmazonEKSViewPolicy`). */
export function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
