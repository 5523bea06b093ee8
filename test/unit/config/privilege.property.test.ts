import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredAccessEntries } from '../../../src/domain/access-entries/access-entries';
import { desiredEntries, type GroupMembers } from '../../../src/domain/aws-auth/desired-state';
import { rbacObjects } from '../../../src/domain/bootstrap/rbac-objects';
import { type AccessConfig, accessConfigSchema } from '../../../src/domain/config/config';
import { privilegedGrants } from '../../../src/domain/config/config-privileges';
import {
  accessPolicyFindings,
  allowFlag,
  bindingFindings,
  type Finding,
  identityFindings,
  protectedNamespaceMatching,
  reservedPrefixes,
} from '../../../src/domain/config/privilege-policy';
import { builtInRolePower, type RolePower, rulesPower } from '../../../src/domain/config/role-power';

/**
 * No accepted config yields a grant the policy calls privileged without its flag. The grants are
 * taken from what the tool would write (aws-auth entries, access entries, RBAC manifests, external
 * users' bindings), not from the config, so a builder that adds privilege (system:masters becoming
 * the cluster-admin access policy, scopes merged across mappings) is caught too.
 */

/** Mostly what a config may say, sometimes what it must not: enough configs pass to test what they grant. */
const mostly = <T>(usual: T[], rare: T[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...usual), weight: 5 },
    { arbitrary: fc.constantFrom(...rare), weight: 1 },
  );
const flag = mostly([true], [false]);
const flags = fc.record(
  { allowSystemMasters: flag, allowClusterAdmin: flag, allowProtectedNamespaces: flag },
  { requiredKeys: [] },
);
const kubernetesGroup = mostly(
  ['developers', 'ops', 'system:masters', 'team:{{SessionName}}'],
  ['system:nodes', 'eks:x', 'Amazon:y', 's{{SessionName}}'],
);
const username = mostly(
  ['ops', 'sso:{{SessionName}}'],
  ['{{SessionName}}', 'sys{{SessionName}}', 'system:kube-controller-manager', 'iam:x'],
);
const namespace = fc.constantFrom(
  'apps',
  'team-a',
  'kube-system',
  'kube-public',
  'kube-*',
  'k*',
  '*',
  'dev-*',
);
const accessPolicy = fc.record({
  policy: fc.constantFrom(
    'AmazonEKSClusterAdminPolicy',
    'AmazonEKSAdminPolicy',
    'AmazonEKSEditPolicy',
    'AmazonEKSViewPolicy',
    'AmazonEKSAdminViewPolicy',
    'AmazonEKSAutoNodePolicy',
  ),
  scope: fc.oneof(
    fc.constant('cluster' as const),
    fc.record({ namespaces: fc.uniqueArray(namespace, { minLength: 1, maxLength: 2 }) }),
  ),
});
const mapping = {
  kubernetesGroups: fc.uniqueArray(kubernetesGroup, { minLength: 1, maxLength: 2 }),
  accessPolicies: fc.array(accessPolicy, { maxLength: 2 }),
};
const roleName = mostly(
  [
    'cluster-admin',
    'admin',
    'edit',
    'view',
    'system:aggregate-to-view',
    'reader',
    'deployer',
    'escalator',
    'secret-reader',
    'on-cluster-only',
  ],
  ['system:controller:x'],
);
const configuredRoles = [
  { name: 'reader', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
  {
    name: 'deployer',
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'update'] }],
  },
  {
    name: 'escalator',
    rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }],
  },
  { name: 'secret-reader', rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
  { name: 'view', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
];
const dnsNamespace = fc.constantFrom('apps', 'kube-system', 'kube-node-lease', 'external-access');

const hostileConfig = fc.record({
  groups: fc.array(fc.record({ ...mapping, flags }), { maxLength: 3 }),
  roles: fc.array(fc.record({ ...mapping, username, flags }), { maxLength: 2 }),
  externalUsers: fc.array(
    fc.record({ clusterRole: roleName, namespace: dnsNamespace, clusterWide: fc.boolean(), flags }),
    { maxLength: 2 },
  ),
  clusterRoles: fc
    .subarray(configuredRoles)
    .chain((roles) =>
      fc.tuple(
        ...roles.map((role) => flags.map((f) => ({ ...role, allowClusterAdmin: f.allowClusterAdmin }))),
      ),
    ),
  bindings: fc.array(
    fc.record({
      group: fc.constantFrom(
        'developers',
        'system:authenticated',
        'system:unauthenticated',
        'system:masters',
      ),
      clusterRole: roleName,
      namespaces: fc.option(fc.uniqueArray(dnsNamespace, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      flags,
    }),
    { maxLength: 3 },
  ),
});

function toConfig(c: typeof hostileConfig extends fc.Arbitrary<infer T> ? T : never): unknown {
  return {
    clusters: [{ name: 'prod', region: 'eu-west-1' }],
    groups: c.groups.map((g, i) => ({ iamGroup: `group-${i}`, ...g.flags, ...without(g, 'flags') })),
    roles: c.roles.map((r, i) => ({
      roleArn: `arn:aws:iam::111122223333:role/r${i}`,
      ...r.flags,
      ...without(r, 'flags'),
    })),
    externalUsers: c.externalUsers.map((u, i) => ({
      name: `partner-${i}`,
      clusterRole: u.clusterRole,
      namespace: u.namespace,
      clusterWide: u.clusterWide,
      ...without(u.flags, 'allowSystemMasters'),
    })),
    bootstrap: {
      rbac: {
        clusterRoles: c.clusterRoles,
        bindings: c.bindings.map((b) => ({
          group: b.group,
          clusterRole: b.clusterRole,
          ...(b.namespaces ? { namespaces: b.namespaces } : {}),
          ...without(b.flags, 'allowSystemMasters'),
        })),
      },
    },
  };
}

function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _, ...rest } = value;
  return rest;
}

type Flagged = { [flag: string]: unknown };
const allows = (owner: Flagged | undefined, finding: Finding) =>
  finding.privilege !== 'reserved' && owner?.[allowFlag[finding.privilege]] === true;

/** Every privileged grant the tool would make from this config that no flag of its source allows. */
function unallowedGrants(config: AccessConfig): string[] {
  const problems: string[] = [];
  // One user per group, and one in every group, so that entries merge across mappings.
  const everyone = { userName: 'everyone', arn: 'arn:aws:iam::111122223333:user/everyone' };
  const members: GroupMembers = new Map(
    config.groups.map((g) => [
      g.iamGroup,
      [{ userName: g.iamGroup, arn: `arn:aws:iam::111122223333:user/${g.iamGroup}` }, everyone],
    ]),
  );
  const desired = desiredEntries(config, 'prod', members);
  const sourcesOf = (sources: string[]) =>
    sources.map(
      (s) =>
        config.groups.find((g) => s === `group ${g.iamGroup}`) ??
        config.roles.find((r) => s === `role ${r.roleArn}`),
    );
  for (const entry of desired) {
    const sources = sourcesOf(entry.sources);
    for (const finding of identityFindings(entry.username, 'username')) {
      if (!sources.some((m) => allows(m, finding)))
        problems.push(`aws-auth ${entry.arn} username: ${finding.why}`);
    }
    for (const group of entry.groups) {
      for (const finding of identityFindings(group, 'group')) {
        const granting = sources.filter((m) => m?.kubernetesGroups.includes(group));
        if (!granting.some((m) => allows(m, finding)))
          problems.push(`aws-auth ${entry.arn} group: ${finding.why}`);
      }
    }
  }
  for (const entry of desiredAccessEntries(desired).entries) {
    const sources = sourcesOf(entry.sources);
    for (const policy of entry.policies) {
      for (const finding of accessPolicyFindings(policy.policy, policy.scope)) {
        const granted = sources.some(
          (m) =>
            (m?.accessPolicies ?? []).some(
              (p) =>
                p.policy === policy.policy &&
                accessPolicyFindings(p.policy, p.scope).some((f) => f.privilege === finding.privilege) &&
                allows(m, finding),
            ) ||
            (policy.policy === 'AmazonEKSClusterAdminPolicy' &&
              m?.kubernetesGroups.includes('system:masters') &&
              m.allowSystemMasters),
        );
        if (!granted) problems.push(`access entry ${entry.principalArn} ${policy.policy}: ${finding.why}`);
      }
    }
  }
  const rbac = config.bootstrap ? rbacObjects(config.bootstrap.rbac, 'prod') : [];
  const written = new Map(rbac.filter((o) => o.kind === 'ClusterRole').map((o) => [o.name, o.manifest]));
  const powerOf = (role: string): RolePower => {
    const manifest = written.get(role) as { rules: never[] } | undefined;
    return (
      builtInRolePower(role) ??
      (manifest ? rulesPower(manifest.rules) : { escalates: false, takesOverNamespace: true })
    );
  };
  for (const object of rbac) {
    const manifest = object.manifest as Flagged & {
      roleRef?: { name: string };
      subjects?: { name: string }[];
    };
    if (object.kind === 'ClusterRole') {
      const source = config.bootstrap?.rbac.clusterRoles.find((r) => r.name === object.name);
      if (builtInRolePower(object.name)) problems.push(`ClusterRole ${object.name} replaces a built-in role`);
      if (rulesPower(manifest.rules as never).escalates && source?.allowClusterAdmin !== true)
        problems.push(`ClusterRole ${object.name} escalates`);
      continue;
    }
    if (object.kind === 'Namespace') continue;
    const role = manifest.roleRef?.name ?? '';
    for (const subject of manifest.subjects ?? []) {
      if (reservedPrefixes.some((p) => subject.name.toLowerCase().startsWith(p)))
        problems.push(`${object.kind} for ${subject.name}`);
      const where = object.namespace ? { namespace: object.namespace } : ('cluster' as const);
      for (const finding of bindingFindings(role, powerOf(role), where)) {
        const source = config.bootstrap?.rbac.bindings.find(
          (b) =>
            b.group === subject.name &&
            b.clusterRole === role &&
            (object.namespace ? b.namespaces?.includes(object.namespace) : !b.namespaces),
        );
        if (!allows(source, finding)) problems.push(`${object.kind} ${object.name}: ${finding.why}`);
      }
    }
  }
  for (const user of config.externalUsers) {
    const where = user.clusterWide ? ('cluster' as const) : { namespace: user.namespace };
    for (const finding of bindingFindings(user.clusterRole, powerOf(user.clusterRole), where)) {
      if (!allows(user, finding)) problems.push(`external user ${user.name}: ${finding.why}`);
    }
    if (protectedNamespaceMatching(user.namespace) && user.allowProtectedNamespaces !== true)
      problems.push(`external user ${user.name}: its ServiceAccount in ${user.namespace}`);
  }
  return problems;
}

describe('the privilege policy, over generated hostile configs', () => {
  it('accepts no config that yields a privileged grant without its flag', () => {
    let accepted = 0;
    let privileged = 0;
    fc.assert(
      fc.property(hostileConfig, (hostile) => {
        const parsed = accessConfigSchema.safeParse(toConfig(hostile));
        if (!parsed.success) return;
        accepted++;
        expect(unallowedGrants(parsed.data)).toEqual([]);
        if (privilegedGrants(parsed.data).length > 0) privileged++;
      }),
      { numRuns: 1000 },
    );
    // Accepted configs with allowed privileged grants must occur, or the property proves little.
    expect(accepted).toBeGreaterThan(20);
    expect(privileged).toBeGreaterThan(5);
  });
});
