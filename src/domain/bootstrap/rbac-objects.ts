import { sortedUnique } from '../aws-auth/desired-state';
import { kubeAnnotation, kubeLabel, managedBy } from '../rotation/rotation-ownership';
import type { BootstrapConfig, PolicyRule } from './cluster-bootstrap';

/**
 * The RBAC objects a bootstrap creates on every managed cluster, as Kubernetes manifests. They carry
 * the managed-by label and a label of their own, so nothing the external-user side made (same
 * managed-by label) is ever mistaken for them, and the config's name of the cluster, so that only
 * what was made for this cluster is ever removed from it.
 */
export const rbacLabels: Record<string, string> = {
  [kubeLabel.managedBy]: managedBy,
  'eks-access-sync.io/part-of': 'bootstrap-rbac',
};

const rbacGroup = 'rbac.authorization.k8s.io';

export interface RbacObject {
  kind: 'Namespace' | 'ClusterRole' | 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace?: string;
  /** The manifest to create; on an update only `rules`, `roleRef` and `subjects` are compared. */
  manifest: Record<string, unknown> & {
    metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  };
}

/** `eks-access-sync:group:<group>:<role>` cannot clash with an external user's `eks-access-sync:<user>`. */
export function bootstrapBindingName(group: string, clusterRole: string): string {
  return `eks-access-sync:group:${group}:${clusterRole}`;
}

/** Namespaces first (RoleBindings need them), then ClusterRoles, then the bindings to them. */
export function rbacObjects(rbac: BootstrapConfig['rbac'], cluster: string): RbacObject[] {
  const metadata = (name: string, namespace?: string) => ({
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...rbacLabels },
    annotations: { [kubeAnnotation.cluster]: cluster },
  });
  const namespaces = sortedUnique(rbac.bindings.flatMap((b) => b.namespaces ?? []));
  const objects: RbacObject[] = namespaces.map((name) => ({
    kind: 'Namespace',
    name,
    manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: metadata(name) },
  }));
  for (const role of rbac.clusterRoles) {
    objects.push({
      kind: 'ClusterRole',
      name: role.name,
      manifest: {
        apiVersion: `${rbacGroup}/v1`,
        kind: 'ClusterRole',
        metadata: metadata(role.name),
        rules: role.rules.map(normalRule),
      },
    });
  }
  for (const binding of rbac.bindings) {
    const name = bootstrapBindingName(binding.group, binding.clusterRole);
    const body = {
      roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: binding.clusterRole },
      subjects: [{ apiGroup: rbacGroup, kind: 'Group', name: binding.group }],
    };
    if (!binding.namespaces) {
      objects.push({
        kind: 'ClusterRoleBinding',
        name,
        manifest: {
          apiVersion: `${rbacGroup}/v1`,
          kind: 'ClusterRoleBinding',
          metadata: metadata(name),
          ...body,
        },
      });
      continue;
    }
    for (const namespace of binding.namespaces) {
      objects.push({
        kind: 'RoleBinding',
        name,
        namespace,
        manifest: {
          apiVersion: `${rbacGroup}/v1`,
          kind: 'RoleBinding',
          metadata: metadata(name, namespace),
          ...body,
        },
      });
    }
  }
  return objects;
}

/** The rule as the apiserver stores it: empty optional lists dropped. */
function normalRule(rule: PolicyRule): Record<string, unknown> {
  return {
    apiGroups: rule.apiGroups,
    resources: rule.resources,
    ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
    verbs: rule.verbs,
  };
}

/** Whether the tool made this object (for whichever cluster name). */
export function madeByBootstrap(existing: { metadata?: { labels?: Record<string, string> } }): boolean {
  const labels = existing.metadata?.labels ?? {};
  return Object.entries(rbacLabels).every(([k, v]) => labels[k] === v);
}

/** The config's name of the cluster the tool made this object for. */
export function madeForCluster(existing: {
  metadata?: { annotations?: Record<string, string> };
}): string | undefined {
  return existing.metadata?.annotations?.[kubeAnnotation.cluster];
}

/** Whether what the cluster holds already says what the manifest says (labels, rules, roleRef, subjects). */
export function rbacUpToDate(object: RbacObject, existing: Record<string, unknown>): boolean {
  if (!madeByBootstrap(existing)) return false;
  const fields = object.kind === 'ClusterRole' ? ['rules'] : object.kind === 'Namespace' ? [] : ['subjects'];
  return fields.every((f) => canonical(existing[f] ?? []) === canonical(object.manifest[f] ?? []));
}

/** roleRef cannot be changed in place: a binding pointing elsewhere is deleted and created again. */
export function roleRefChanged(object: RbacObject, existing: Record<string, unknown>): boolean {
  if (object.kind !== 'ClusterRoleBinding' && object.kind !== 'RoleBinding') return false;
  return canonical(existing.roleRef) !== canonical(object.manifest.roleRef);
}

/** JSON with object keys sorted, so field order never reads as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
