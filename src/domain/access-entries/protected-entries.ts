import {
  type AccessEntry,
  type AssociatedPolicy,
  clusterAdminPolicy,
  isOwned,
  showPolicy,
} from './access-entries';

/**
 * The record, on an entry this tool made, that the cluster-admin policy on it came from the config.
 * Only such a cluster-admin may this tool take away again (a removed admin); any other cluster-admin
 * (the cluster creator's, a break-glass entry, one associated by hand) is never touched.
 */
export const adminGrantTag = {
  key: 'eks-access-sync.io/cluster-admin',
  granted: 'granted',
  revoked: 'revoked',
};

/** Associations that make a principal cluster-admin: the admin policy anywhere, the admin policy cluster-wide. */
export function isClusterAdmin(policy: AssociatedPolicy): boolean {
  return (
    policy.policy === clusterAdminPolicy ||
    (policy.policy === 'AmazonEKSAdminPolicy' && policy.scope === 'cluster')
  );
}

export function grantsClusterAdmin(policies: readonly AssociatedPolicy[]): boolean {
  return policies.some(isClusterAdmin);
}

/**
 * Why an existing entry must be left exactly as it is, or undefined when this tool may change it:
 * - any type but STANDARD (node groups, Fargate, Windows, EC2): EKS manages those;
 * - an entry this tool did not make that is cluster-admin: the creator's or a break-glass entry,
 *   never adopted, whatever the config says;
 * - an entry of this tool's that is cluster-admin without the config having granted it (now, or
 *   recorded when it was granted): someone gave it on purpose; a sync must not take it away.
 * Policies must have been read for the entry (they are, for every entry a plan may touch).
 */
export function protectedBecause(
  entry: AccessEntry,
  want: { policies: readonly AssociatedPolicy[] } | undefined,
): string | undefined {
  if (entry.type !== 'STANDARD') return `a ${entry.type} entry, which only EKS manages`;
  const admin = (entry.policies ?? []).filter(isClusterAdmin);
  if (admin.length === 0) return undefined;
  const shown = admin.map(showPolicy).join(', ');
  if (!isOwned(entry))
    return `not made by this tool and cluster-admin (${shown}): the cluster creator's or a break-glass entry, never adopted`;
  if (entry.tags[adminGrantTag.key] === adminGrantTag.granted) return undefined;
  if (want && admin.every((p) => want.policies.some((w) => w.policy === p.policy))) return undefined;
  return `cluster-admin (${shown}) that the config did not grant: never changed or deleted by this tool`;
}
