import {
  buildKubeconfig,
  type Kubeconfig,
  KubeconfigParseError,
  parseKubeconfig,
} from '../../domain/rotation/kubeconfig';
import { lifetimeWarning, serviceAccountUsername } from '../../domain/rotation/rotation';
import {
  boundSecretName,
  boundSecretsToRevoke,
  type VersionStages,
} from '../../domain/rotation/rotation-versions';
import { RotationStateError, RotationTestError } from './rotation-errors';
import type { RotateTokensDeps, ServiceAccountRef } from './rotation-ports';
import type { RotationTarget } from './rotation-target';

/** A kubeconfig made for a version, with what the cluster said about its token. */
export interface IssuedKubeconfig {
  /** The YAML that goes into Secrets Manager. A secret: never log it. */
  text: string;
  kubeconfig: Kubeconfig;
  warnings: string[];
}

/**
 * A fresh token bound to the version's own Secret, in a kubeconfig with the cluster's server and CA.
 * The expiry is the one the cluster granted, which may be shorter than asked.
 */
export async function issueKubeconfig(
  deps: RotateTokensDeps,
  target: RotationTarget,
  account: ServiceAccountRef,
  versionId: string,
): Promise<IssuedKubeconfig> {
  const name = boundSecretName(account.name, versionId);
  const bound = await target.access.bindSecret(account, name, versionId, target.secretName);
  const issuedAt = deps.clock.now();
  const token = await target.access.requestToken(account, bound, target.user.tokenLifetime);
  const warning = lifetimeWarning(target.user.tokenLifetime, issuedAt, token.expiresAt);
  const kubeconfig: Kubeconfig = {
    server: target.endpoint.server,
    caData: target.endpoint.caData,
    token: token.token,
    record: {
      cluster: target.cluster.name,
      user: target.user.name,
      namespace: account.namespace,
      serviceAccount: account.name,
      serviceAccountUid: account.uid,
      boundSecret: bound.name,
      versionId,
      issuedAt: issuedAt.toISOString(),
      expiresAt: token.expiresAt.toISOString(),
    },
  };
  return { text: buildKubeconfig(kubeconfig), kubeconfig, warnings: warning ? [warning] : [] };
}

/** The kubeconfig a version holds; the protocol state is wrong when it holds none. */
export async function versionKubeconfig(
  deps: RotateTokensDeps,
  target: RotationTarget,
  versionId: string,
): Promise<Kubeconfig> {
  const text = await deps.secrets.value(target.secretId, versionId);
  if (text === undefined) {
    throw new RotationStateError(
      `version ${versionId} of ${target.secretName} has no value: createSecret has not run`,
    );
  }
  try {
    return parseKubeconfig(text);
  } catch (error) {
    if (!(error instanceof KubeconfigParseError)) throw error;
    throw new RotationStateError(`version ${versionId} of ${target.secretName}: ${error.message}`, {
      cause: error,
    });
  }
}

/**
 * Proves a kubeconfig works before anyone is handed it: its own server, verified with its own CA,
 * must take its token for the user's ServiceAccount.
 */
export async function verifyKubeconfig(
  deps: RotateTokensDeps,
  target: RotationTarget,
  kubeconfig: Kubeconfig,
): Promise<void> {
  const { record } = kubeconfig;
  const expected = serviceAccountUsername(target.user.namespace, target.user.name);
  if (
    record.cluster !== target.cluster.name ||
    record.user !== target.user.name ||
    serviceAccountUsername(record.namespace, record.serviceAccount) !== expected
  ) {
    throw new RotationTestError(
      `the kubeconfig was made for ${record.user} (${record.namespace}/${record.serviceAccount}) on ${record.cluster}`,
    );
  }
  let actual: string;
  try {
    actual = await deps.identify({
      server: kubeconfig.server,
      caData: kubeconfig.caData,
      token: kubeconfig.token,
    });
  } catch (error) {
    throw new RotationTestError(
      `the new kubeconfig does not work against ${kubeconfig.server}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (actual !== expected) {
    throw new RotationTestError(`the new token authenticates as ${actual || 'nobody'}, not as ${expected}`);
  }
}

/**
 * Revokes every token of the user on this cluster except those of AWSCURRENT and AWSPREVIOUS, by
 * deleting their bound Secrets. Returns the names of the Secrets deleted.
 */
export async function revokeOlderTokens(target: RotationTarget, stages: VersionStages): Promise<string[]> {
  const account = { namespace: target.user.namespace, name: target.user.name };
  const bound = await target.access.boundSecrets(account);
  const revoke = new Set(boundSecretsToRevoke(bound, stages));
  for (const secret of bound) if (revoke.has(secret.name)) await target.access.revoke(secret);
  return [...revoke];
}
