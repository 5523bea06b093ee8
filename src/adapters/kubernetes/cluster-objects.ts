import type {
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1DeleteOptions,
  V1Namespace,
  V1RoleBinding,
} from '@kubernetes/client-node';
import type { ClusterObjects, RbacOutcome } from '../../app/bootstrap/bootstrap-ports';
import {
  madeByBootstrap,
  madeForCluster,
  type RbacObject,
  rbacLabels,
  rbacUpToDate,
  roleRefChanged,
} from '../../domain/bootstrap/rbac-objects';
import type { KubeApis } from './kube-api';
import { kubeCall, kubeDelete, kubeFind } from './kube-call';
import { KubeConflictError, KubeForbiddenError, KubeUnauthorizedError } from './kube-errors';
import { deleteOptions, type ObjectMeta } from './kube-objects';

type Stored = KubernetesObject & { metadata: ObjectMeta; [field: string]: unknown };
type Kind = RbacObject['kind'];

/** The typed calls for one kind of object; bodies are the domain's manifests. */
interface KindApi {
  read(name: string, namespace?: string): Promise<unknown>;
  create(body: object, namespace?: string): Promise<unknown>;
  replace(name: string, body: object, namespace?: string): Promise<unknown>;
  delete(name: string, body: V1DeleteOptions, namespace?: string): Promise<unknown>;
  /** Every object of the kind with the labels, in all namespaces. */
  list(labelSelector: string): Promise<{ items: unknown[] }>;
}

function kindApis({ core, rbac }: KubeApis): Record<Kind, KindApi> {
  const ns = (namespace: string | undefined) => namespace ?? '';
  // The manifests are the domain's plain objects of each kind; client-node serialises them by its model.
  return {
    Namespace: {
      read: (name) => core.readNamespace({ name }),
      create: (body) => core.createNamespace({ body: body as V1Namespace }),
      replace: (name, body) => core.replaceNamespace({ name, body: body as V1Namespace }),
      delete: (name, body) => core.deleteNamespace({ name, body }),
      list: (labelSelector) => core.listNamespace({ labelSelector }),
    },
    ClusterRole: {
      read: (name) => rbac.readClusterRole({ name }),
      create: (body) => rbac.createClusterRole({ body: body as V1ClusterRole }),
      replace: (name, body) => rbac.replaceClusterRole({ name, body: body as V1ClusterRole }),
      delete: (name, body) => rbac.deleteClusterRole({ name, body }),
      list: (labelSelector) => rbac.listClusterRole({ labelSelector }),
    },
    ClusterRoleBinding: {
      read: (name) => rbac.readClusterRoleBinding({ name }),
      create: (body) => rbac.createClusterRoleBinding({ body: body as V1ClusterRoleBinding }),
      replace: (name, body) => rbac.replaceClusterRoleBinding({ name, body: body as V1ClusterRoleBinding }),
      delete: (name, body) => rbac.deleteClusterRoleBinding({ name, body }),
      list: (labelSelector) => rbac.listClusterRoleBinding({ labelSelector }),
    },
    RoleBinding: {
      read: (name, namespace) => rbac.readNamespacedRoleBinding({ name, namespace: ns(namespace) }),
      create: (body, namespace) =>
        rbac.createNamespacedRoleBinding({ namespace: ns(namespace), body: body as V1RoleBinding }),
      replace: (name, body, namespace) =>
        rbac.replaceNamespacedRoleBinding({ name, namespace: ns(namespace), body: body as V1RoleBinding }),
      delete: (name, body, namespace) =>
        rbac.deleteNamespacedRoleBinding({ name, namespace: ns(namespace), body }),
      list: (labelSelector) => rbac.listRoleBindingForAllNamespaces({ labelSelector }),
    },
  };
}

const idOf = (kind: Kind, name: string, namespace?: string) =>
  `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
const selector = Object.entries(rbacLabels)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

/**
 * The bootstrap's objects on one cluster through client-node: create-or-update, never touching an
 * object with the same name that this tool did not make for this cluster. A Namespace that exists
 * is left as it is, whoever made it, and none is ever deleted.
 */
export function clusterObjects(apis: KubeApis): ClusterObjects {
  const kinds = kindApis(apis);

  async function ensure(object: RbacObject, attempt = 1): Promise<RbacOutcome> {
    const api = kinds[object.kind];
    const id = idOf(object.kind, object.name, object.namespace);
    const existing = (await kubeFind(`reading ${id}`, () => api.read(object.name, object.namespace))) as
      | Stored
      | undefined;
    try {
      if (!existing) {
        await kubeCall(`creating ${id}`, () => api.create(object.manifest, object.namespace));
        return 'created';
      }
      if (object.kind === 'Namespace') return 'unchanged';
      if (!madeByBootstrap(existing) || madeForCluster(existing) !== madeForCluster(object.manifest)) {
        return 'conflict';
      }
      if (roleRefChanged(object, existing)) {
        // roleRef cannot change in place; the uid precondition spares a namesake made meanwhile.
        await kubeDelete(`deleting ${id}`, () =>
          api.delete(object.name, deleteOptions(existing.metadata.uid), object.namespace),
        );
        await kubeCall(`creating ${id}`, () => api.create(object.manifest, object.namespace));
        return 'replaced';
      }
      if (rbacUpToDate(object, existing)) return 'unchanged';
      const body = {
        ...existing,
        ...object.manifest,
        metadata: {
          ...existing.metadata,
          labels: { ...existing.metadata.labels, ...rbacLabels },
          resourceVersion: existing.metadata.resourceVersion,
        },
      };
      await kubeCall(`replacing ${id}`, () => api.replace(object.name, body, object.namespace));
      return 'updated';
    } catch (error) {
      // Another run made or changed it between the read and the write: read again, once or twice.
      if (error instanceof KubeConflictError && attempt < 3) return ensure(object, attempt + 1);
      throw error;
    }
  }

  async function prune(cluster: string, keep: readonly RbacObject[]): Promise<string[]> {
    const wanted = new Set(keep.map((o) => idOf(o.kind, o.name, o.namespace)));
    const removed: string[] = [];
    // Bindings before the roles they point at.
    for (const kind of ['RoleBinding', 'ClusterRoleBinding', 'ClusterRole'] as const) {
      const api = kinds[kind];
      const list = await kubeCall(`listing ${kind}s`, () => api.list(selector));
      for (const object of list.items as Stored[]) {
        const { name = '', namespace, uid } = object.metadata;
        const id = idOf(kind, name, namespace);
        if (madeForCluster(object) !== cluster || wanted.has(id)) continue;
        await kubeDelete(`deleting ${id}`, () => api.delete(name, deleteOptions(uid), namespace));
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
        await kubeCall('listing ClusterRoles', () => apis.rbac.listClusterRole({ limit: 1 }));
        return true;
      } catch (error) {
        if (error instanceof KubeUnauthorizedError || error instanceof KubeForbiddenError) return false;
        throw error;
      }
    },
  };
}
