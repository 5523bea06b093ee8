import type { ClusterObjects, RbacOutcome } from '../../app/bootstrap/bootstrap-ports';
import {
  madeByBootstrap,
  madeForCluster,
  type RbacObject,
  rbacLabels,
  rbacUpToDate,
  roleRefChanged,
} from '../../domain/bootstrap/rbac-objects';
import { KubeApiError, type KubeClient } from './kube-client';
import type { ObjectMeta } from './kube-objects';
import { deleteOptions, type KubeList } from './kube-objects';

const rbac = '/apis/rbac.authorization.k8s.io/v1';

interface Stored {
  kind?: string;
  metadata: ObjectMeta & { [field: string]: unknown };
  [field: string]: unknown;
}

type Kind = RbacObject['kind'];

/** Where objects of a kind are created and listed. */
function collection(kind: Kind, namespace?: string): string {
  switch (kind) {
    case 'Namespace':
      return '/api/v1/namespaces';
    case 'ClusterRole':
      return `${rbac}/clusterroles`;
    case 'ClusterRoleBinding':
      return `${rbac}/clusterrolebindings`;
    case 'RoleBinding':
      return `${rbac}/namespaces/${namespace}/rolebindings`;
  }
}

const pathOf = (kind: Kind, name: string, namespace?: string) =>
  `${collection(kind, namespace)}/${encodeURIComponent(name)}`;
const idOf = (kind: Kind, name: string, namespace?: string) =>
  `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
const isStatus = (error: unknown, ...codes: number[]) =>
  error instanceof KubeApiError && codes.includes(error.status);

/**
 * The bootstrap's objects on one cluster over the small REST client: create-or-update, never
 * touching an object with the same name that this tool did not make for this cluster. A Namespace
 * that exists is left as it is, whoever made it, and none is ever deleted.
 */
export function clusterObjects(kube: KubeClient): ClusterObjects {
  async function ensure(object: RbacObject, attempt = 1): Promise<RbacOutcome> {
    const path = pathOf(object.kind, object.name, object.namespace);
    const existing = await kube.get<Stored>(path);
    try {
      if (!existing) {
        await kube.create(collection(object.kind, object.namespace), object.manifest);
        return 'created';
      }
      if (object.kind === 'Namespace') return 'unchanged';
      if (!madeByBootstrap(existing) || madeForCluster(existing) !== madeForCluster(object.manifest)) {
        return 'conflict';
      }
      if (roleRefChanged(object, existing)) {
        // roleRef cannot change in place; the uid precondition spares a namesake made meanwhile.
        await kube.delete(path, deleteOptions(existing.metadata.uid));
        await kube.create(collection(object.kind, object.namespace), object.manifest);
        return 'replaced';
      }
      if (rbacUpToDate(object, existing)) return 'unchanged';
      await kube.replace(path, {
        ...existing,
        ...object.manifest,
        metadata: {
          ...existing.metadata,
          labels: { ...existing.metadata.labels, ...rbacLabels },
          resourceVersion: existing.metadata.resourceVersion,
        },
      });
      return 'updated';
    } catch (error) {
      // Another run made or changed it between the read and the write: read again, once or twice.
      if (isStatus(error, 409) && attempt < 3) return ensure(object, attempt + 1);
      throw error;
    }
  }

  async function prune(cluster: string, keep: readonly RbacObject[]): Promise<string[]> {
    const wanted = new Set(keep.map((o) => idOf(o.kind, o.name, o.namespace)));
    const selector = `?${new URLSearchParams({
      labelSelector: Object.entries(rbacLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    })}`;
    const kinds: Kind[] = ['RoleBinding', 'ClusterRoleBinding', 'ClusterRole'];
    const removed: string[] = [];
    // Bindings before the roles they point at.
    for (const kind of kinds) {
      const all = kind === 'RoleBinding' ? `${rbac}/rolebindings` : collection(kind);
      const list = await kube.get<KubeList<Stored>>(`${all}${selector}`);
      for (const object of list?.items ?? []) {
        const { name, namespace, uid } = object.metadata;
        const id = idOf(kind, name, namespace);
        if (madeForCluster(object) !== cluster || wanted.has(id)) continue;
        await kube.delete(pathOf(kind, name, namespace), deleteOptions(uid));
        removed.push(id);
      }
    }
    return removed;
  }

  return {
    ensure,
    prune,
    async accepts() {
      try {
        await kube.get(`${rbac}/clusterroles?limit=1`);
        return true;
      } catch (error) {
        if (isStatus(error, 401, 403)) return false;
        throw error;
      }
    },
  };
}
