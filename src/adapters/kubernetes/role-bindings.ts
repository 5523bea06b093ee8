import type { ExternalUser } from '../../domain/rotation/external-users';
import { kubeAnnotation, kubeLabels } from '../../domain/rotation/rotation-ownership';
import type { KubeClient } from './kube-client';
import {
  deleteOptions,
  type KubeList,
  type KubeObject,
  madeFor,
  managedSelector,
  requireOwned,
} from './kube-objects';

const rbac = '/apis/rbac.authorization.k8s.io/v1';

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding extends KubeObject {
  kind?: string;
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects?: Subject[];
}

/** RoleBindings live in a namespace, ClusterRoleBindings do not. */
function collection(clusterWide: boolean, namespace: string): string {
  return clusterWide ? `${rbac}/clusterrolebindings` : `${rbac}/namespaces/${namespace}/rolebindings`;
}

/** The one binding the tool keeps per external user; the name says who made it and for whom. */
export function bindingName(user: string): string {
  return `eks-access-sync:${user}`;
}

/**
 * Makes the user's binding exactly what the config says (the ClusterRole, a RoleBinding or a
 * ClusterRoleBinding, the ServiceAccount as the only subject), and deletes every other binding the
 * tool made for the user on this cluster, so that access never stays broader than configured.
 */
export async function ensureBinding(kube: KubeClient, cluster: string, user: ExternalUser): Promise<void> {
  const name = bindingName(user.name);
  const path = `${collection(user.clusterWide, user.namespace)}/${encodeURIComponent(name)}`;
  const wanted: Binding = {
    kind: user.clusterWide ? 'ClusterRoleBinding' : 'RoleBinding',
    metadata: {
      name,
      ...(user.clusterWide ? {} : { namespace: user.namespace }),
      labels: kubeLabels(user.name),
      annotations: { [kubeAnnotation.cluster]: cluster },
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: user.name, namespace: user.namespace }],
  };
  const body = { apiVersion: 'rbac.authorization.k8s.io/v1', ...wanted };
  const existing = await kube.get<Binding>(path);
  if (!existing) {
    await kube.create(collection(user.clusterWide, user.namespace), body);
  } else {
    requireOwned(existing, cluster, `${wanted.kind} ${name}`);
    if (existing.roleRef.kind !== 'ClusterRole' || existing.roleRef.name !== user.clusterRole) {
      // roleRef cannot be changed in place; the binding is replaced.
      await kube.delete(path, deleteOptions(existing.metadata.uid));
      await kube.create(collection(user.clusterWide, user.namespace), body);
    } else if (!onlySubjectIs(existing, user)) {
      await kube.replace(path, {
        ...body,
        metadata: { ...wanted.metadata, resourceVersion: existing.metadata.resourceVersion },
      });
    }
  }
  const keep = `${user.clusterWide ? '' : user.namespace}/${name}`;
  for (const other of await userBindings(kube, cluster, user.name)) {
    if (`${other.metadata.namespace ?? ''}/${other.metadata.name}` !== keep) await deleteBinding(kube, other);
  }
}

/** Deletes the tool's bindings for a ServiceAccount being offboarded. */
export async function removeBindings(
  kube: KubeClient,
  cluster: string,
  account: { namespace: string; name: string; user: string },
): Promise<void> {
  for (const binding of await userBindings(kube, cluster, account.user)) {
    const forAccount = (binding.subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
    );
    if (forAccount) await deleteBinding(kube, binding);
  }
}

/** Every RoleBinding (any namespace) and ClusterRoleBinding the tool made for the user on this cluster. */
async function userBindings(kube: KubeClient, cluster: string, user: string): Promise<Binding[]> {
  const selector = managedSelector(user);
  const [roleBindings, clusterRoleBindings] = await Promise.all([
    kube.get<KubeList<Binding>>(`${rbac}/rolebindings${selector}`),
    kube.get<KubeList<Binding>>(`${rbac}/clusterrolebindings${selector}`),
  ]);
  return [...(roleBindings?.items ?? []), ...(clusterRoleBindings?.items ?? [])].filter((b) =>
    madeFor(b, cluster),
  );
}

function onlySubjectIs(binding: Binding, user: ExternalUser): boolean {
  const [subject, ...others] = binding.subjects ?? [];
  return (
    others.length === 0 &&
    subject?.kind === 'ServiceAccount' &&
    subject.name === user.name &&
    subject.namespace === user.namespace
  );
}

async function deleteBinding(kube: KubeClient, binding: Binding): Promise<void> {
  const { namespace, name, uid } = binding.metadata;
  await kube.delete(
    `${collection(namespace === undefined, namespace ?? '')}/${encodeURIComponent(name)}`,
    deleteOptions(uid),
  );
}
