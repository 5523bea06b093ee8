import type { RbacV1Subject, V1ClusterRoleBinding, V1RoleBinding } from '@kubernetes/client-node';
import type { ExternalUser } from '../../domain/rotation/external-users';
import { kubeAnnotation, kubeLabels } from '../../domain/rotation/rotation-ownership';
import type { KubeApis } from './kube-api';
import { kubeCall, kubeDelete, kubeFind } from './kube-call';
import { deleteOptions, madeFor, managedSelector, requireOwned } from './kube-objects';

type Binding = V1RoleBinding | V1ClusterRoleBinding;

/** The one binding the tool keeps per external user; the name says who made it and for whom. */
export function bindingName(user: string): string {
  return `eks-access-sync:${user}`;
}

/** RoleBindings live in a namespace, ClusterRoleBindings do not (namespace `undefined`). */
function bindingCalls({ rbac }: KubeApis, namespace: string | undefined) {
  const id = (name: string) =>
    namespace ? `RoleBinding ${namespace}/${name}` : `ClusterRoleBinding ${name}`;
  return {
    read: (name: string) =>
      kubeFind(
        `reading ${id(name)}`,
        (): Promise<Binding> =>
          namespace
            ? rbac.readNamespacedRoleBinding({ name, namespace })
            : rbac.readClusterRoleBinding({ name }),
      ),
    create: (body: Binding) =>
      kubeCall(
        `creating ${id(body.metadata?.name ?? '')}`,
        (): Promise<Binding> =>
          namespace
            ? rbac.createNamespacedRoleBinding({ namespace, body })
            : rbac.createClusterRoleBinding({ body }),
      ),
    replace: (name: string, body: Binding) =>
      kubeCall(
        `replacing ${id(name)}`,
        (): Promise<Binding> =>
          namespace
            ? rbac.replaceNamespacedRoleBinding({ name, namespace, body })
            : rbac.replaceClusterRoleBinding({ name, body }),
      ),
    delete: (name: string, uid: string | undefined) =>
      kubeDelete(`deleting ${id(name)}`, () =>
        namespace
          ? rbac.deleteNamespacedRoleBinding({ name, namespace, body: deleteOptions(uid) })
          : rbac.deleteClusterRoleBinding({ name, body: deleteOptions(uid) }),
      ),
  };
}

/**
 * Makes the user's binding exactly what the config says (the ClusterRole, a RoleBinding or a
 * ClusterRoleBinding, the ServiceAccount as the only subject), and deletes every other binding the
 * tool made for the user on this cluster, so that access never stays broader than configured.
 */
export async function ensureBinding(apis: KubeApis, cluster: string, user: ExternalUser): Promise<void> {
  const name = bindingName(user.name);
  const calls = bindingCalls(apis, user.clusterWide ? undefined : user.namespace);
  const kind = user.clusterWide ? 'ClusterRoleBinding' : 'RoleBinding';
  const metadata = {
    name,
    ...(user.clusterWide ? {} : { namespace: user.namespace }),
    labels: kubeLabels(user.name),
    annotations: { [kubeAnnotation.cluster]: cluster },
  };
  const body: Binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: user.name, namespace: user.namespace }],
  };
  const existing = await calls.read(name);
  if (!existing) {
    await calls.create(body);
  } else {
    requireOwned(existing, cluster, `${kind} ${name}`);
    if (existing.roleRef.kind !== 'ClusterRole' || existing.roleRef.name !== user.clusterRole) {
      // roleRef cannot be changed in place; the binding is replaced.
      await calls.delete(name, existing.metadata?.uid);
      await calls.create(body);
    } else if (!onlySubjectIs(existing, user)) {
      await calls.replace(name, {
        ...body,
        metadata: { ...metadata, resourceVersion: existing.metadata?.resourceVersion },
      });
    }
  }
  const keep = `${user.clusterWide ? '' : user.namespace}/${name}`;
  for (const other of await userBindings(apis, cluster, user.name)) {
    if (`${other.metadata?.namespace ?? ''}/${other.metadata?.name}` !== keep)
      await deleteBinding(apis, other);
  }
}

/** Deletes the tool's bindings for a ServiceAccount being offboarded. */
export async function removeBindings(
  apis: KubeApis,
  cluster: string,
  account: { namespace: string; name: string; user: string },
): Promise<void> {
  for (const binding of await userBindings(apis, cluster, account.user)) {
    const forAccount = (binding.subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
    );
    if (forAccount) await deleteBinding(apis, binding);
  }
}

/** Every RoleBinding (any namespace) and ClusterRoleBinding the tool made for the user on this cluster. */
async function userBindings({ rbac }: KubeApis, cluster: string, user: string): Promise<Binding[]> {
  const labelSelector = managedSelector(user);
  const [roleBindings, clusterRoleBindings] = await Promise.all([
    kubeCall('listing RoleBindings', () => rbac.listRoleBindingForAllNamespaces({ labelSelector })),
    kubeCall('listing ClusterRoleBindings', () => rbac.listClusterRoleBinding({ labelSelector })),
  ]);
  return [...roleBindings.items, ...clusterRoleBindings.items].filter((b) => madeFor(b, cluster));
}

function onlySubjectIs(binding: Binding, user: ExternalUser): boolean {
  const [subject, ...others]: (RbacV1Subject | undefined)[] = binding.subjects ?? [];
  return (
    others.length === 0 &&
    subject?.kind === 'ServiceAccount' &&
    subject.name === user.name &&
    subject.namespace === user.namespace
  );
}

async function deleteBinding(apis: KubeApis, binding: Binding): Promise<void> {
  const { namespace, name = '', uid } = binding.metadata ?? {};
  await bindingCalls(apis, namespace).delete(name, uid);
}
