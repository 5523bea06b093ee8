import type {
  ExternalAccess,
  ManagedServiceAccount,
  ServiceAccountRef,
} from '../../app/rotation/rotation-ports';
import type { ExternalUser } from '../../domain/rotation/external-users';
import { kubeAnnotation, kubeLabel, kubeLabels, managedBy } from '../../domain/rotation/rotation-ownership';
import { boundTokens } from './bound-tokens';
import type { KubeClient } from './kube-client';
import {
  deleteOptions,
  type KubeList,
  type KubeObject,
  madeFor,
  managedSelector,
  requireOwned,
} from './kube-objects';
import { ensureBinding, removeBindings } from './role-bindings';

/**
 * External users' side of one cluster (known in the config as `cluster`): their namespace,
 * ServiceAccount and binding, bound Secrets and tokens. Everything made carries the tool's labels and
 * the cluster annotation; nothing without them is changed or deleted.
 */
export function externalAccess(kube: KubeClient, cluster: string): ExternalAccess {
  const tokens = boundTokens(kube, cluster);
  const annotations = { [kubeAnnotation.cluster]: cluster };

  async function ensureNamespace(namespace: string): Promise<void> {
    if (await kube.get(`/api/v1/namespaces/${namespace}`)) return;
    // Created with our label for people to see, but never deleted: other things may move in.
    await kube.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { [kubeLabel.managedBy]: managedBy }, annotations },
    });
  }

  async function ensureServiceAccount(user: ExternalUser): Promise<ServiceAccountRef> {
    const path = `/api/v1/namespaces/${user.namespace}/serviceaccounts`;
    const existing = await kube.get<KubeObject>(`${path}/${user.name}`);
    const account =
      existing === undefined
        ? await kube.create<KubeObject>(path, {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: {
              name: user.name,
              namespace: user.namespace,
              labels: kubeLabels(user.name),
              annotations,
            },
            // Its tokens go to the kubeconfig only; no pod should mount one.
            automountServiceAccountToken: false,
          })
        : requireOwned(existing, cluster, `ServiceAccount ${user.namespace}/${user.name}`);
    return { namespace: user.namespace, name: user.name, uid: account.metadata.uid ?? '' };
  }

  return {
    ...tokens,

    async ensureAccess(user) {
      await ensureNamespace(user.namespace);
      const account = await ensureServiceAccount(user);
      await ensureBinding(kube, cluster, user);
      return account;
    },

    async managedServiceAccounts(): Promise<ManagedServiceAccount[]> {
      const list = await kube.get<KubeList<KubeObject>>(`/api/v1/serviceaccounts${managedSelector()}`);
      return (list?.items ?? [])
        .filter((sa) => madeFor(sa, cluster))
        .map((sa) => ({
          namespace: sa.metadata.namespace ?? '',
          name: sa.metadata.name,
          uid: sa.metadata.uid ?? '',
          user: sa.metadata.labels?.[kubeLabel.user] ?? '',
          cluster,
        }));
    },

    async offboard(account) {
      const ref = { namespace: account.namespace, name: account.name, uid: account.uid };
      await removeBindings(kube, cluster, account);
      for (const secret of await tokens.boundSecrets(ref)) await tokens.revoke(secret);
      // Deleting the ServiceAccount is what kills every token it has, bound or not.
      await kube.delete(
        `/api/v1/namespaces/${account.namespace}/serviceaccounts/${account.name}`,
        deleteOptions(account.uid),
      );
    },
  };
}
