import { describe, expect, it } from 'vitest';
import { rbacObjects, rbacUpToDate, roleRefChanged } from '../../../src/domain/bootstrap/rbac-objects';
import { parseAccessConfig } from '../../../src/domain/config/config-file';

const { bootstrap } = parseAccessConfig(`
clusters: [{ name: prod, region: us-east-1 }]
bootstrap:
  rbac:
    clusterRoles:
      - name: cluster-reader
        rules: [{ apiGroups: ['', apps], resources: [pods, deployments], verbs: [get, list, watch] }]
    bindings:
      - group: readers
        clusterRole: cluster-reader
      - group: devs
        clusterRole: edit
        namespaces: [team-b, team-a]
      - group: ops
        clusterRole: view
        namespaces: [team-a]
`);
const objects = rbacObjects(bootstrap?.rbac ?? { clusterRoles: [], bindings: [] }, 'prod');
const labels = {
  'app.kubernetes.io/managed-by': 'eks-access-sync',
  'eks-access-sync.io/part-of': 'bootstrap-rbac',
};

describe('rbacObjects', () => {
  it('lists namespaces first, then ClusterRoles, then the bindings, each marked as made by the tool for the cluster', () => {
    expect(objects.map((o) => `${o.kind} ${o.namespace ?? ''}/${o.name}`)).toEqual([
      'Namespace /team-a',
      'Namespace /team-b',
      'ClusterRole /cluster-reader',
      'ClusterRoleBinding /eks-access-sync:group:readers:cluster-reader',
      'RoleBinding team-b/eks-access-sync:group:devs:edit',
      'RoleBinding team-a/eks-access-sync:group:devs:edit',
      'RoleBinding team-a/eks-access-sync:group:ops:view',
    ]);
    for (const o of objects) {
      expect(o.manifest.metadata).toMatchObject({
        labels,
        annotations: { 'eks-access-sync.io/cluster': 'prod' },
      });
    }
  });

  it('binds the Kubernetes group as an RBAC Group subject to the ClusterRole', () => {
    expect(objects[3]?.manifest).toMatchObject({
      kind: 'ClusterRoleBinding',
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'readers' }],
    });
  });

  it('sees an object as up to date regardless of field order, and a changed roleRef as needing a new binding', () => {
    const role = objects[2];
    const binding = objects[3];
    if (!role || !binding) throw new Error('missing objects');
    const stored = {
      metadata: { name: 'cluster-reader', labels, resourceVersion: '7' },
      rules: [
        { verbs: ['get', 'list', 'watch'], resources: ['pods', 'deployments'], apiGroups: ['', 'apps'] },
      ],
    };

    expect(rbacUpToDate(role, stored)).toBe(true);
    expect(rbacUpToDate(role, { ...stored, rules: [] })).toBe(false);
    expect(rbacUpToDate(role, { ...stored, metadata: { name: 'cluster-reader' } })).toBe(false);
    expect(
      roleRefChanged(binding, {
        roleRef: { kind: 'ClusterRole', name: 'cluster-reader', apiGroup: 'rbac.authorization.k8s.io' },
      }),
    ).toBe(false);
    expect(
      roleRefChanged(binding, {
        roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' },
      }),
    ).toBe(true);
  });
});
