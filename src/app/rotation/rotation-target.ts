import type { ClusterConfig } from '../../domain/config/config';
import { clustersOf, type ExternalUser, secretNameFor } from '../../domain/rotation/external-users';
import { NotOwnedError, ownsSecret, secretTag } from '../../domain/rotation/rotation-ownership';
import type { ClusterEndpoint } from '../ports';
import { RotationStateError, UnknownExternalUserError } from './rotation-errors';
import type { ExternalAccess, RotateTokensDeps, StoredSecret } from './rotation-ports';

/** One user's kubeconfig on one cluster: what every rotation step works on. */
export interface RotationTarget {
  user: ExternalUser;
  cluster: ClusterConfig;
  /** The secret's name, as the config derives it. */
  secretName: string;
  /** How Secrets Manager calls address it: the name, or the ARN a rotation event gives. */
  secretId: string;
  /** The cluster as this function reaches it; its server and CA go into the kubeconfig. */
  endpoint: ClusterEndpoint;
  access: ExternalAccess;
}

/** `partner-ci on prod-east`, for messages. */
export function describeTarget(target: Pick<RotationTarget, 'user' | 'cluster'>): string {
  return `${target.user.name} on ${target.cluster.name}`;
}

/** A cluster opened once per run: the endpoint and the external-access adapter over it. */
export interface OpenCluster {
  cluster: ClusterConfig;
  endpoint: ClusterEndpoint;
  access: ExternalAccess;
}

export async function openCluster(deps: RotateTokensDeps, cluster: ClusterConfig): Promise<OpenCluster> {
  const endpoint = await deps.clusters.endpoint(cluster);
  return { cluster, endpoint, access: deps.externalAccess(cluster.name, endpoint) };
}

export function targetFor(open: OpenCluster, user: ExternalUser, secretId?: string): RotationTarget {
  const secretName = secretNameFor(user, open.cluster.name);
  return { ...open, user, secretName, secretId: secretId ?? secretName };
}

/**
 * The target of a rotation Secrets Manager drives, from the secret's tags. A secret the tool did
 * not make, or one for a user the config no longer lists, is refused.
 */
export async function targetOfSecret(
  deps: RotateTokensDeps,
  secretId: string,
): Promise<{ target: RotationTarget; secret: StoredSecret }> {
  const secret = await deps.secrets.describe(secretId);
  if (!secret) throw new RotationStateError(`there is no secret ${secretId}`);
  if (!ownsSecret(secret.tags)) {
    throw new NotOwnedError(`secret ${secret.name} was not made by eks-access-sync: not rotating it`);
  }
  const [userName, clusterName] = [secret.tags[secretTag.user], secret.tags[secretTag.cluster]];
  const user = deps.config.externalUsers.find((u) => u.name === userName);
  const cluster = deps.config.clusters.find((c) => c.name === clusterName);
  const names = deps.config.clusters.map((c) => c.name);
  if (
    !user ||
    !cluster ||
    !clustersOf(user, names).includes(cluster.name) ||
    secretNameFor(user, cluster.name) !== secret.name
  ) {
    throw new UnknownExternalUserError(
      `secret ${secret.name} holds ${userName}'s kubeconfig for ${clusterName}, which the config no longer lists; the next scheduled run offboards it`,
    );
  }
  return { target: targetFor(await openCluster(deps, cluster), user, secretId), secret };
}
