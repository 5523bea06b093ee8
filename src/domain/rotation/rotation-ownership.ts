import { DomainError } from '../errors';
import { type ExternalUser, secretNameFor } from './external-users';

/**
 * How this tool marks what it made, so that offboarding removes only that: labels and annotations
 * on Kubernetes objects, tags on Secrets Manager secrets. Nothing without the mark is ever deleted.
 */
export const managedBy = 'eks-access-sync';

export const kubeLabel = {
  managedBy: 'app.kubernetes.io/managed-by',
  user: 'eks-access-sync.io/external-user',
} as const;

/** Annotations, not labels: cluster names and version ids do not always fit a label value. */
export const kubeAnnotation = {
  cluster: 'eks-access-sync.io/cluster',
  versionId: 'eks-access-sync.io/secret-version',
  secretName: 'eks-access-sync.io/secret-name',
} as const;

export const secretTag = {
  managedBy: 'eks-access-sync:managed-by',
  cluster: 'eks-access-sync:cluster',
  user: 'eks-access-sync:user',
  namespace: 'eks-access-sync:namespace',
  expiresAt: 'eks-access-sync:expires-at',
} as const;

/** The tags a user's kubeconfig secret carries from its creation on. */
export function secretTags(user: Pick<ExternalUser, 'name' | 'namespace'>, cluster: string) {
  return {
    [secretTag.managedBy]: managedBy,
    [secretTag.cluster]: cluster,
    [secretTag.user]: user.name,
    [secretTag.namespace]: user.namespace,
  };
}

/** Whether this tool made the secret (for this user and cluster, when given). */
export function ownsSecret(tags: Record<string, string>, owner?: { cluster: string; user: string }): boolean {
  if (tags[secretTag.managedBy] !== managedBy) return false;
  return (
    owner === undefined || (tags[secretTag.cluster] === owner.cluster && tags[secretTag.user] === owner.user)
  );
}

/** The labels every Kubernetes object made for an external user carries. */
export function kubeLabels(user: string): Record<string, string> {
  return { [kubeLabel.managedBy]: managedBy, [kubeLabel.user]: user };
}

interface OwnedServiceAccount {
  namespace: string;
  name: string;
  user: string;
  cluster: string;
}

interface OwnedSecret {
  name: string;
  tags: Record<string, string>;
}

/**
 * What to offboard on one cluster: the tool's ServiceAccounts and secrets that the config no longer
 * wants there (user removed, moved to another namespace, secret renamed). Things made for other
 * clusters' names are never touched from here.
 */
export function offboardingPlan<A extends OwnedServiceAccount, S extends OwnedSecret>(
  cluster: string,
  users: readonly Pick<ExternalUser, 'name' | 'namespace' | 'secretName'>[],
  accounts: readonly A[],
  secrets: readonly S[],
): { accounts: A[]; secrets: S[] } {
  const wantedAccounts = new Set(users.map((u) => `${u.namespace}/${u.name}`));
  const wantedSecrets = new Set(users.map((u) => secretNameFor(u, cluster)));
  return {
    accounts: accounts.filter(
      (a) => a.cluster === cluster && !(a.user === a.name && wantedAccounts.has(`${a.namespace}/${a.name}`)),
    ),
    secrets: secrets.filter(
      (s) => ownsSecret(s.tags) && s.tags[secretTag.cluster] === cluster && !wantedSecrets.has(s.name),
    ),
  };
}

/** Something the tool would have to change or delete exists, and the tool did not make it: left alone. */
export class NotOwnedError extends DomainError {
  override name = 'NotOwnedError';
}
