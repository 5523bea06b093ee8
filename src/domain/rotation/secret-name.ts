import { type ClusterIdentity, identityOf, showCluster } from '../config/cluster-identity';
import { DomainError } from '../errors';
import type { ExternalUser } from './external-users';

/** A cluster as a secret name needs it: its identity, and whether a selector found it. */
export interface SecretCluster {
  name: string;
  region: string;
  accountId?: string | undefined;
  roleArn?: string | undefined;
  foundBy?: string | undefined;
}

/** A secret name needs the cluster's account ({account}), and the event named none. */
export class UnknownAccountError extends DomainError {
  override name = 'UnknownAccountError';
}

/**
 * The Secrets Manager name of a user's kubeconfig for one cluster. A listed cluster is unique by
 * name in the config; a cluster a selector found is not (a `team-a` per region or account), so
 * unless the pattern names {region} or {account} itself, its {cluster} becomes
 * `{account}/{region}/{cluster}`.
 */
export function secretNameFor(
  user: Pick<ExternalUser, 'name' | 'secretName'>,
  cluster: SecretCluster,
): string {
  const qualify = cluster.foundBy !== undefined && !/\{(region|account)\}/.test(user.secretName);
  const identity = identityOf(cluster);
  const pattern = qualify
    ? user.secretName.replaceAll('{cluster}', `${identity.accountId ? '{account}/' : ''}{region}/{cluster}`)
    : user.secretName;
  return expand(pattern, user.name, identity);
}

/** The name the secret had before clusters found by a selector were told apart by region and account. */
export function legacySecretNameFor(
  user: Pick<ExternalUser, 'name' | 'secretName'>,
  cluster: SecretCluster,
): string {
  return expand(user.secretName, user.name, identityOf(cluster));
}

function expand(pattern: string, user: string, cluster: ClusterIdentity): string {
  if (pattern.includes('{account}') && !cluster.accountId) {
    throw new UnknownAccountError(
      `the secret name ${pattern} needs the account of cluster ${showCluster(cluster)}, which is not known; set the cluster's accountId`,
    );
  }
  return pattern
    .replaceAll('{cluster}', cluster.name)
    .replaceAll('{region}', cluster.region)
    .replaceAll('{account}', cluster.accountId ?? '')
    .replaceAll('{name}', user);
}
