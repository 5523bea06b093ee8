import type {
  ExternalAccess,
  ManagedServiceAccount,
  ServiceAccountRef,
} from '../../app/rotation/rotation-ports';
import type { ExternalUser } from '../../domain/rotation/external-users';
import { kubeAnnotation, kubeLabel, kubeLabels, managedBy } from '../../domain/rotation/rotation-ownership';
import { boundTokens } from './bound-tokens';
import type { KubeApis } from './kube-api';
import { kubeCall, kubeDelete, kubeFind } from './kube-call';
import { deleteOptions, madeFor, managedSelector, requireOwned } from './kube-objects';
import { ensureBinding, removeBindings } from './role-bindings';

/**
 * External users' side of one cluster (known in the config as `cluster`): their namespace,
 * ServiceAccount and binding, bound Secrets and tokens. Everything made carries the tool's labels and
 * the cluster annotation; nothing without them is changed or deleted.
 */
export function externalAccess(apis: KubeApis, cluster: string): ExternalAccess {
  const { core } = apis;
  const tokens = boundTokens(apis, cluster);
  const annotations = { [kubeAnnotation.cluster]: cluster };

  async function ensureNamespace(namespace: string): Promise<void> {
    if (await kubeFind(`reading Namespace ${namespace}`, () => core.readNamespace({ name: namespace })))
      return;
    // Created with our label for people to see, but never deleted: other things may move in.
    await kubeCall(`creating Namespace ${namespace}`, () =>
      core.createNamespace({
        body: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: namespace, labels: { [kubeLabel.managedBy]: managedBy }, annotations },
        },
      }),
    );
  }

  async function ensureServiceAccount(user: ExternalUser): Promise<ServiceAccountRef> {
    const what = `ServiceAccount ${user.namespace}/${user.name}`;
    const existing = await kubeFind(`reading ${what}`, () =>
      core.readNamespacedServiceAccount({ name: user.name, namespace: user.namespace }),
    );
    const account =
      existing === undefined
        ? await kubeCall(`creating ${what}`, () =>
            core.createNamespacedServiceAccount({
              namespace: user.namespace,
              body: {
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
              },
            }),
          )
        : requireOwned(existing, cluster, what);
    return { namespace: user.namespace, name: user.name, uid: account.metadata?.uid ?? '' };
  }

  return {
    ...tokens,

    async ensureAccess(user) {
      await ensureNamespace(user.namespace);
      const account = await ensureServiceAccount(user);
      await ensureBinding(apis, cluster, user);
      return account;
    },

    async managedServiceAccounts(): Promise<ManagedServiceAccount[]> {
      const list = await kubeCall('listing ServiceAccounts', () =>
        core.listServiceAccountForAllNamespaces({ labelSelector: managedSelector() }),
      );
      return list.items
        .filter((sa) => madeFor(sa, cluster))
        .map((sa) => ({
          namespace: sa.metadata?.namespace ?? '',
          name: sa.metadata?.name ?? '',
          uid: sa.metadata?.uid ?? '',
          user: sa.metadata?.labels?.[kubeLabel.user] ?? '',
          cluster,
        }));
    },

    async offboard(account) {
      const ref = { namespace: account.namespace, name: account.name, uid: account.uid };
      await removeBindings(apis, cluster, account);
      for (const secret of await tokens.boundSecrets(ref)) await tokens.revoke(secret);
      // Deleting the ServiceAccount is what kills every token it has, bound or not.
      await kubeDelete(`deleting ServiceAccount ${account.namespace}/${account.name}`, () =>
        core.deleteNamespacedServiceAccount({
          name: account.name,
          namespace: account.namespace,
          body: deleteOptions(account.uid),
        }),
      );
    },
  };
}
