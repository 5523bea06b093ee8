import { type ClusterIdentity, identityOf } from '../config/cluster-identity';
import { DomainError } from '../errors';
import { type ExternalUser, type SecretCluster, secretNameFor } from './external-users';

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
  /** The cluster's region and account: its name alone does not say which cluster it is. */
  region: 'eks-access-sync:region',
  account: 'eks-access-sync:account',
  user: 'eks-access-sync:user',
  namespace: 'eks-access-sync:namespace',
  expiresAt: 'eks-access-sync:expires-at',
} as const;

/** The tags a user's kubeconfig secret carries from its creation on: whose it is, for which cluster. */
export function secretTags(
  user: Pick<ExternalUser, 'name' | 'namespace'>,
  cluster: string | SecretCluster,
): Record<string, string> {
  return {
    [secretTag.managedBy]: managedBy,
    [secretTag.user]: user.name,
    [secretTag.namespace]: user.namespace,
    ...clusterTags(cluster),
  };
}

/** The cluster's identity as tags: its name, and its region and account when known. */
export function clusterTags(cluster: string | SecretCluster): Record<string, string> {
  if (typeof cluster === 'string') return { [secretTag.cluster]: cluster };
  const id = identityOf(cluster);
  return {
    [secretTag.cluster]: id.name,
    [secretTag.region]: id.region,
    ...(id.accountId ? { [secretTag.account]: id.accountId } : {}),
  };
}

/** Whether the secret's tags name its cluster's region (secrets made before they did name only the cluster). */
export function hasClusterIdentity(tags: Record<string, string>): boolean {
  return tags[secretTag.region] !== undefined;
}

/**
 * Whether the secret's tags fit this cluster: the same name, and no other region or account where
 * they name one. Tags made before identities were recorded name only the cluster.
 */
export function taggedFor(tags: Record<string, string>, cluster: ClusterIdentity): boolean {
  if (tags[secretTag.cluster] !== cluster.name) return false;
  const region = tags[secretTag.region];
  const account = tags[secretTag.account];
  if (region !== undefined && region !== cluster.region) return false;
  return account === undefined || cluster.accountId === undefined || account === cluster.accountId;
}

/** Whether this tool made the secret (for this user and cluster, when given). */
export function ownsSecret(
  tags: Record<string, string>,
  owner?: { cluster: string | ClusterIdentity; user: string },
): boolean {
  if (tags[secretTag.managedBy] !== managedBy) return false;
  if (owner === undefined) return true;
  if (tags[secretTag.user] !== owner.user) return false;
  const { cluster } = owner;
  return typeof cluster === 'string' ? tags[secretTag.cluster] === cluster : taggedFor(tags, cluster);
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
  cluster: SecretCluster,
  users: readonly Pick<ExternalUser, 'name' | 'namespace' | 'secretName'>[],
  accounts: readonly A[],
  secrets: readonly S[],
): { accounts: A[]; secrets: S[] } {
  const wantedAccounts = new Set(users.map((u) => `${u.namespace}/${u.name}`));
  const wantedSecrets = new Set(users.map((u) => secretNameFor(u, cluster)));
  const identity = identityOf(cluster);
  return {
    accounts: accounts.filter(
      (a) =>
        a.cluster === cluster.name && !(a.user === a.name && wantedAccounts.has(`${a.namespace}/${a.name}`)),
    ),
    secrets: secrets.filter(
      (s) => ownsSecret(s.tags) && taggedFor(s.tags, identity) && !wantedSecrets.has(s.name),
    ),
  };
}

/** Something the tool would have to change or delete exists, and the tool did not make it: left alone. */
export class NotOwnedError extends DomainError {
  override name = 'NotOwnedError';
}
