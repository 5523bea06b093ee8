import { describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';

const clusters = 'clusters: [{ name: prod, region: eu-west-1 }]\n';
const roleArn = 'arn:aws:iam::111122223333:role/Ops';

/** The issues parseAccessConfig reports, or [] when the config is accepted. */
function issuesOf(text: string): { path: string; message: string }[] {
  try {
    parseAccessConfig(`${clusters}${text}\n`);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues;
  }
}

const bootstrapRbac = (rbac: string) => `bootstrap:\n  rbac: ${rbac}`;

describe('the privilege policy refuses what grants more than it says (issue 16)', () => {
  it.each([
    [
      'a role mapped to the controller-manager username',
      `roles: [{ roleArn: "${roleArn}", username: "system:kube-controller-manager" }]`,
      'roles[0].username (line 2)',
      /system:kube-controller-manager is reserved for Kubernetes components and EKS \(prefix system:\).*refused whatever the flags/,
    ],
    [
      'the aggregation controller service account, even with every flag',
      `roles: [{ roleArn: "${roleArn}", username: "system:serviceaccount:kube-system:clusterrole-aggregation-controller", allowSystemMasters: true, allowClusterAdmin: true }]`,
      'roles[0].username (line 2)',
      /refused whatever the flags/,
    ],
    [
      'an eks: username',
      `roles: [{ roleArn: "${roleArn}", username: "eks:addon-manager" }]`,
      'roles[0].username (line 2)',
      /prefix eks:/,
    ],
    [
      'an aws: group, whatever its case',
      'groups: [{ iamGroup: ops, kubernetesGroups: ["AWS:admins"] }]',
      'groups[0].kubernetesGroups[0] (line 2)',
      /prefix aws:/,
    ],
    [
      'amazon: and iam: groups',
      'groups: [{ iamGroup: ops, kubernetesGroups: ["amazon:x"] }]',
      'groups[0].kubernetesGroups[0] (line 2)',
      /prefix amazon:/,
    ],
    [
      'a bare session template: the session name picks the username',
      `roles: [{ roleArn: "${roleArn}", username: "{{SessionName}}" }]`,
      'roles[0].username (line 2)',
      /needs a literal prefix of its own before the template/,
    ],
    [
      'a literal prefix that a session name can complete into system:',
      `roles: [{ roleArn: "${roleArn}", username: "sys{{SessionName}}" }]`,
      'roles[0].username (line 2)',
      /needs a literal prefix/,
    ],
    [
      'a template in a group',
      `roles: [{ roleArn: "${roleArn}", username: ops, kubernetesGroups: ["{{SessionName}}"] }]`,
      'roles[0].kubernetesGroups[0] (line 2)',
      /needs a literal prefix/,
    ],
    [
      'AmazonEKSClusterAdminPolicy without allowClusterAdmin',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSClusterAdminPolicy }] }]',
      'groups[0].accessPolicies[0] (line 2)',
      /set allowClusterAdmin: true to mean it/,
    ],
    [
      'AmazonEKSAdminPolicy cluster-wide',
      `roles: [{ roleArn: "${roleArn}", username: ops, accessPolicies: [{ policy: AmazonEKSAdminPolicy, scope: cluster }] }]`,
      'roles[0].accessPolicies[0] (line 2)',
      /AmazonEKSAdminPolicy cluster-wide can take over kube-system.*allowClusterAdmin/,
    ],
    [
      'AmazonEKSEditPolicy in a namespace pattern that covers kube-system',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSEditPolicy, scope: { namespaces: ["kube-*"] } }], allowProtectedNamespaces: true }]',
      'groups[0].accessPolicies[0] (line 2)',
      /in kube-\* can take over kube-system.*allowClusterAdmin/,
    ],
    [
      'AmazonEKSViewPolicy in kube-system without allowProtectedNamespaces',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSViewPolicy, scope: { namespaces: [kube-system] } }] }]',
      'groups[0].accessPolicies[0] (line 2)',
      /kube-system is a namespace of the cluster's own components; set allowProtectedNamespaces: true/,
    ],
    [
      'an access policy of EKS components this tool cannot judge',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSAutoNodePolicy }] }]',
      'groups[0].accessPolicies[0] (line 2)',
      /not a policy for people this tool can judge; it is treated as cluster-admin/,
    ],
    [
      'a bootstrap binding for system:authenticated',
      bootstrapRbac('{ bindings: [{ group: "system:authenticated", clusterRole: view }] }'),
      'bootstrap.rbac.bindings[0].group (line 3)',
      /system:authenticated is a group Kubernetes or EKS fills.*refused whatever the flags/,
    ],
    [
      'a bootstrap binding for system:unauthenticated',
      bootstrapRbac('{ bindings: [{ group: "system:unauthenticated", clusterRole: view }] }'),
      'bootstrap.rbac.bindings[0].group (line 3)',
      /refused whatever the flags/,
    ],
    [
      'a bootstrap binding for system:masters, even with allowClusterAdmin',
      bootstrapRbac(
        '{ bindings: [{ group: "system:masters", clusterRole: view, allowClusterAdmin: true }] }',
      ),
      'bootstrap.rbac.bindings[0].group (line 3)',
      /refused whatever the flags/,
    ],
    [
      'a binding to cluster-admin by name',
      bootstrapRbac('{ bindings: [{ group: developers, clusterRole: cluster-admin, namespaces: [apps] }] }'),
      'bootstrap.rbac.bindings[0].namespaces[0] (line 3)',
      /cluster-admin is cluster-admin or can make itself so; set allowClusterAdmin: true/,
    ],
    [
      'a binding to the aggregated admin role cluster-wide',
      bootstrapRbac('{ bindings: [{ group: developers, clusterRole: admin }] }'),
      'bootstrap.rbac.bindings[0].clusterRole (line 3)',
      /admin cluster-wide can take over kube-system/,
    ],
    [
      'a binding to a role that exists only on the cluster, cluster-wide',
      bootstrapRbac('{ bindings: [{ group: developers, clusterRole: platform-operator }] }'),
      'bootstrap.rbac.bindings[0].clusterRole (line 3)',
      /platform-operator cluster-wide is not defined under bootstrap.rbac.clusterRoles, so nothing says it cannot take over kube-system/,
    ],
    [
      'a configured ClusterRole with "*" rules',
      bootstrapRbac(
        '{ clusterRoles: [{ name: ops-all, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }] }',
      ),
      'bootstrap.rbac.clusterRoles[0].rules (line 3)',
      /ops-all grants a "\*" rule: a way to cluster-admin; set allowClusterAdmin: true/,
    ],
    [
      'a configured ClusterRole that may escalate, bind and impersonate',
      bootstrapRbac(
        '{ clusterRoles: [{ name: rbac-manager, rules: [{ apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, bind] }, { resources: [users], verbs: [impersonate] }] }] }',
      ),
      'bootstrap.rbac.clusterRoles[0].rules (line 3)',
      /the escalate verb, the bind verb, the impersonate verb/,
    ],
    [
      'a configured ClusterRole that mints service-account tokens',
      bootstrapRbac(
        '{ clusterRoles: [{ name: token-maker, rules: [{ resources: [serviceaccounts/token], verbs: [create] }] }] }',
      ),
      'bootstrap.rbac.clusterRoles[0].rules (line 3)',
      /writing serviceaccounts\/token/,
    ],
    [
      'a configured ClusterRole named like one Kubernetes ships',
      bootstrapRbac('{ clusterRoles: [{ name: edit, rules: [{ resources: [pods], verbs: [get] }] }] }'),
      'bootstrap.rbac.clusterRoles[0].name (line 3)',
      /edit is a role Kubernetes ships; a ClusterRole of that name would replace it/,
    ],
    [
      'an external user with edit in kube-system',
      'externalUsers: [{ name: partner, clusterRole: edit, namespace: kube-system, allowProtectedNamespaces: true }]',
      'externalUsers[0].clusterRole (line 2)',
      /edit in kube-system can take over kube-system .*: that is cluster-admin; set allowClusterAdmin/,
    ],
    [
      'an external user with admin cluster-wide',
      'externalUsers: [{ name: partner, clusterRole: admin, clusterWide: true }]',
      'externalUsers[0].clusterRole (line 2)',
      /admin cluster-wide can take over kube-system/,
    ],
    [
      'an external user with a system: ClusterRole',
      'externalUsers: [{ name: partner, clusterRole: "system:controller:clusterrole-aggregation-controller", allowClusterAdmin: true }]',
      'externalUsers[0].clusterRole (line 2)',
      /is a role of a Kubernetes or EKS component.*refused whatever the flags/,
    ],
    [
      'an external user with view in kube-public',
      'externalUsers: [{ name: partner, clusterRole: view, namespace: kube-public }]',
      'externalUsers[0].clusterRole (line 2)',
      /kube-public is a namespace of the cluster's own components; set allowProtectedNamespaces: true/,
    ],
    [
      'a configured ClusterRole with a "*" sub-resource',
      bootstrapRbac(
        '{ clusterRoles: [{ name: pod-all, rules: [{ resources: ["pods/*"], verbs: [get] }] }] }',
      ),
      'bootstrap.rbac.clusterRoles[0].rules (line 3)',
      /pod-all grants a "\*" rule/,
    ],
    [
      'an external user bound cluster-wide whose ServiceAccount would live in kube-system',
      'externalUsers: [{ name: partner, clusterRole: view, clusterWide: true, namespace: kube-system }]',
      'externalUsers[0].namespace (line 2)',
      /kube-system is a namespace of the cluster's own components; set allowProtectedNamespaces: true/,
    ],
  ])('refuses %s, naming the path, line and why', (_, text, path, message) => {
    expect(issuesOf(text)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it.each([
    [
      'system:masters with allowSystemMasters',
      'groups: [{ iamGroup: ops, kubernetesGroups: [system:masters], allowSystemMasters: true }]',
    ],
    [
      'a session template after a prefix of its own',
      `roles: [{ roleArn: "${roleArn}", username: "sso-dev:{{SessionName}}" }]`,
    ],
    [
      'AmazonEKSClusterAdminPolicy with allowClusterAdmin',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSClusterAdminPolicy }], allowClusterAdmin: true }]',
    ],
    [
      'AmazonEKSEditPolicy in team namespaces',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSEditPolicy, scope: { namespaces: [team-a, "dev-*"] } }] }]',
    ],
    [
      'AmazonEKSViewPolicy cluster-wide',
      'groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: AmazonEKSViewPolicy }] }]',
    ],
    [
      'an external user with edit in its own namespace',
      'externalUsers: [{ name: partner, clusterRole: edit }]',
    ],
    [
      'an external user with view cluster-wide',
      'externalUsers: [{ name: partner, clusterRole: view, clusterWide: true }]',
    ],
    [
      'edit in kube-system with both flags',
      'externalUsers: [{ name: partner, clusterRole: edit, namespace: kube-system, allowClusterAdmin: true, allowProtectedNamespaces: true }]',
    ],
    [
      'an escalating role and its binding, each with allowClusterAdmin',
      bootstrapRbac(
        '{ clusterRoles: [{ name: ops-all, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], allowClusterAdmin: true }], bindings: [{ group: ops, clusterRole: ops-all, allowClusterAdmin: true }] }',
      ),
    ],
    [
      'a read-only configured role bound cluster-wide',
      bootstrapRbac(
        '{ clusterRoles: [{ name: reader, rules: [{ resources: [pods, configmaps], verbs: [get, list, watch] }] }], bindings: [{ group: readers, clusterRole: reader }] }',
      ),
    ],
  ])('accepts %s', (_, text) => {
    expect(issuesOf(text)).toEqual([]);
  });

  it('reports privilege refusals together with the schema errors', () => {
    const issues = issuesOf(
      `roles: [{ roleArn: "${roleArn}", username: "{{SessionName}}", colour: blue }]\nexternalUsers: [{ name: partner, clusterRole: cluster-admin }]`,
    );

    expect(issues.map((i) => i.path).sort()).toEqual([
      'externalUsers[0].clusterRole (line 3)',
      'roles[0].colour (line 2)',
      'roles[0].username (line 2)',
    ]);
  });

  it('judges a configured role bound to an external user by its rules', () => {
    const text = `${bootstrapRbac(
      '{ clusterRoles: [{ name: secret-reader, rules: [{ resources: [secrets], verbs: [get, list] }] }] }',
    )}\nexternalUsers: [{ name: partner, clusterRole: secret-reader, clusterWide: true }]`;

    expect(issuesOf(text)).toEqual([
      {
        path: 'externalUsers[0].clusterRole (line 4)',
        message: expect.stringMatching(/secret-reader cluster-wide can take over kube-system/),
      },
    ]);
  });
});
