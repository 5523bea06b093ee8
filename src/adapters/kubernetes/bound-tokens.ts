import type { V1Secret } from '@kubernetes/client-node';
import type {
  AccountName,
  BoundSecret,
  IssuedToken,
  ServiceAccountRef,
} from '../../app/rotation/rotation-ports';
import { kubeAnnotation, kubeLabels } from '../../domain/rotation/rotation-ownership';
import type { KubeApis } from './kube-api';
import { kubeCall, kubeDelete, kubeFind } from './kube-call';
import { deleteOptions, madeFor, managedSelector, requireOwned } from './kube-objects';

/** A Secret type of our own, so nothing mistakes a bound Secret for one that holds data. */
export const boundSecretType = 'eks-access-sync.io/token-binding';

/** A TokenRequest's answer that lacks the token or its expiry. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
}

function boundSecret(object: V1Secret): BoundSecret {
  const versionId = object.metadata?.annotations?.[kubeAnnotation.versionId];
  return {
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    uid: object.metadata?.uid ?? '',
    ...(versionId ? { versionId } : {}),
  };
}

/**
 * Per-rotation Secrets that tokens are bound to (`boundObjectRef`): a token dies with its Secret,
 * which is how an old token is revoked before it expires.
 */
export function boundTokens({ core }: KubeApis, cluster: string) {
  async function find(account: AccountName, name: string): Promise<BoundSecret | undefined> {
    const what = `Secret ${account.namespace}/${name}`;
    const found = await kubeFind(`reading ${what}`, () =>
      core.readNamespacedSecret({ name, namespace: account.namespace }),
    );
    if (!found) return undefined;
    return boundSecret(requireOwned(found, cluster, what));
  }

  return {
    boundSecret: find,

    async bindSecret(account: ServiceAccountRef, name: string, versionId: string, secretName: string) {
      const existing = await find(account, name);
      if (existing) return existing;
      const created = await kubeCall(`creating Secret ${account.namespace}/${name}`, () =>
        core.createNamespacedSecret({
          namespace: account.namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: boundSecretType,
            metadata: {
              name,
              namespace: account.namespace,
              labels: kubeLabels(account.name),
              annotations: {
                [kubeAnnotation.cluster]: cluster,
                [kubeAnnotation.versionId]: versionId,
                [kubeAnnotation.secretName]: secretName,
              },
              // Where a garbage collector runs, the Secret also goes when the ServiceAccount does.
              ownerReferences: [
                { apiVersion: 'v1', kind: 'ServiceAccount', name: account.name, uid: account.uid },
              ],
            },
          },
        }),
      );
      return boundSecret(created);
    },

    async boundSecrets(account: AccountName): Promise<BoundSecret[]> {
      const list = await kubeCall(`listing Secrets in ${account.namespace}`, () =>
        core.listNamespacedSecret({
          namespace: account.namespace,
          labelSelector: managedSelector(account.name),
        }),
      );
      return list.items.filter((s) => madeFor(s, cluster)).map(boundSecret);
    },

    async revoke(secret: BoundSecret): Promise<void> {
      await kubeDelete(`deleting Secret ${secret.namespace}/${secret.name}`, () =>
        core.deleteNamespacedSecret({
          name: secret.name,
          namespace: secret.namespace,
          body: deleteOptions(secret.uid),
        }),
      );
    },

    async requestToken(
      account: ServiceAccountRef,
      bound: BoundSecret,
      lifetime: number,
    ): Promise<IssuedToken> {
      const who = `${account.namespace}/${account.name}`;
      const answer = await kubeCall(`requesting a token for ServiceAccount ${who}`, () =>
        core.createNamespacedServiceAccountToken({
          name: account.name,
          namespace: account.namespace,
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: {
              expirationSeconds: lifetime,
              boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: bound.name, uid: bound.uid },
            },
          },
        }),
      );
      const token = answer.status?.token;
      const expiresAt = new Date(answer.status?.expirationTimestamp ?? Number.NaN);
      if (!token || Number.isNaN(expiresAt.getTime())) {
        throw new TokenRequestError(
          `TokenRequest for ${who} answered without a token or an expirationTimestamp`,
        );
      }
      return { token, expiresAt };
    },
  };
}
