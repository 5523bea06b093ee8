import { identityOf, showCluster } from '../../domain/config/cluster-identity';
import type { ClusterConfig } from '../../domain/config/config';
import {
  clustersOf,
  type ExternalUser,
  legacySecretNameFor,
  secretNameFor,
} from '../../domain/rotation/external-users';
import { KubeconfigParseError, parseKubeconfig } from '../../domain/rotation/kubeconfig';
import {
  hasClusterIdentity,
  NotOwnedError,
  ownsSecret,
  secretTag,
  taggedFor,
} from '../../domain/rotation/rotation-ownership';
import { stage, versionWith } from '../../domain/rotation/rotation-versions';
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

/** `partner-ci on prod-east (us-east-1)`, for messages. */
export function describeTarget(target: Pick<RotationTarget, 'user' | 'cluster'>): string {
  return `${target.user.name} on ${showCluster(identityOf(target.cluster))}`;
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

export function targetFor(
  open: OpenCluster,
  user: ExternalUser,
  secretId?: string,
  secretName = secretNameFor(user, open.cluster),
): RotationTarget {
  return { ...open, user, secretName, secretId: secretId ?? secretName };
}

/**
 * The secret a user's kubeconfig for a cluster lives in. For a cluster a selector found, the name
 * carries its region and account; a secret made before that under the plain name stays in use only
 * while it provably holds this cluster's kubeconfig: tagged with this cluster's region and account,
 * or, made before those tags, holding a kubeconfig for this cluster's endpoint. Another `team-a`'s
 * secret is never taken over.
 */
export async function secretNameOf(
  deps: RotateTokensDeps,
  open: OpenCluster,
  user: ExternalUser,
): Promise<string> {
  const name = secretNameFor(user, open.cluster);
  const legacy = legacySecretNameFor(user, open.cluster);
  if (legacy === name || (await deps.secrets.describe(name))) return name;
  const old = await deps.secrets.describe(legacy);
  if (!old || old.deleted || !ownsSecret(old.tags, { cluster: identityOf(open.cluster), user: user.name }))
    return name;
  if (hasClusterIdentity(old.tags)) return legacy;
  const version = versionWith(old.stages, stage.current);
  const text = version && (await deps.secrets.value(legacy, version));
  if (!text) return name;
  try {
    return parseKubeconfig(text).server === open.endpoint.server ? legacy : name;
  } catch (error) {
    if (error instanceof KubeconfigParseError) return name;
    throw error;
  }
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
  // By identity: a secret tagged for a namesake in another region or account is not this cluster's.
  const cluster = deps.config.clusters.find((c) => taggedFor(secret.tags, identityOf(c)));
  const names = deps.config.clusters.map((c) => c.name);
  if (
    !user ||
    !cluster ||
    !clustersOf(user, names).includes(cluster.name) ||
    (secretNameFor(user, cluster) !== secret.name && legacySecretNameFor(user, cluster) !== secret.name)
  ) {
    throw new UnknownExternalUserError(
      `secret ${secret.name} holds ${userName}'s kubeconfig for ${clusterName}, which the config no longer lists; the next scheduled run offboards it`,
    );
  }
  return { target: targetFor(await openCluster(deps, cluster), user, secretId), secret };
}
