import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessEntry,
  desiredAccessEntries,
  managedTag,
  mergePolicies,
} from '../../../src/domain/access-entries/access-entries';
import {
  describeAccessEntryPlan,
  planAccessEntries,
} from '../../../src/domain/access-entries/access-entry-plan';
import { adminGrantTag, grantsClusterAdmin } from '../../../src/domain/access-entries/protected-entries';
import { arnKey } from '../../../src/domain/arn';
import { desiredEntries } from '../../../src/domain/aws-auth/desired-state';
import { parseAccessConfig } from '../../../src/domain/config/config-file';

const account = '111122223333';
const ssoRole = `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123`;
const config = parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    backend: accessEntries
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [system:masters]
    allowSystemMasters: true
  - iamGroup: eks-readers
    kubernetesGroups: [viewers]
    accessPolicies:
      - policy: AmazonEKSViewPolicy
        scope: { namespaces: [team-b, team-a] }
  - iamGroup: eks-developers
    kubernetesGroups: [developers]
    accessPolicies:
      - policy: AmazonEKSViewPolicy
      - policy: AmazonEKSEditPolicy
        scope: { namespaces: [dev] }
roles:
  - roleArn: ${ssoRole}
    username: "sso-dev:{{SessionName}}"
    kubernetesGroups: [developers]
`);
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const members = (groups: Record<string, string[]>) =>
  new Map(
    Object.entries(groups).map(([g, users]) => [g, users.map((u) => ({ userName: u, arn: userArn(u) }))]),
  );
const desired = (groups: Record<string, string[]>) =>
  desiredAccessEntries(desiredEntries(config, 'prod', members(groups))).entries;
const options = { adoptUnownedEntries: false, maxRemovalShare: 0.5, force: false };

function entry(principalArn: string, extra: Partial<AccessEntry> = {}): AccessEntry {
  return {
    principalArn,
    key: arnKey(principalArn),
    type: 'STANDARD',
    username: 'x',
    groups: [],
    tags: {},
    ...extra,
  };
}
const owned = (principalArn: string, extra: Partial<AccessEntry> = {}) =>
  entry(principalArn, { tags: { [managedTag.key]: managedTag.value }, policies: [], ...extra });

describe('desiredAccessEntries', () => {
  it('keeps the role path that aws-auth must drop, and maps users by their IAM ARN', () => {
    // Act
    const entries = desired({ 'eks-readers': ['carol'] });

    // Assess
    expect(entries.map((e) => [e.principalArn, e.awsAuthKey, e.username, e.groups])).toEqual([
      [
        ssoRole,
        arnKey(`arn:aws:iam::${account}:role/AWSReservedSSO_Dev_0123`),
        'sso-dev:{{SessionName}}',
        ['developers'],
      ],
      [userArn('carol'), arnKey(userArn('carol')), 'carol', ['viewers']],
    ]);
  });

  it('turns system:masters into the cluster-admin access policy, because access entries refuse system: groups', () => {
    // Act
    const { entries, warnings } = desiredAccessEntries(
      desiredEntries(config, 'prod', members({ 'eks-admins': ['ann'] })),
    );

    // Assess
    const ann = entries.find((e) => e.principalArn === userArn('ann'));
    expect(ann?.groups).toEqual([]);
    expect(ann?.policies).toEqual([{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }]);
    expect(warnings).toEqual([expect.stringMatching(/system:masters cannot be an access entry group/)]);
  });

  it('gives a user in several groups one entry: a cluster scope covers namespaces, namespace scopes unite', () => {
    // Act
    const [dora] = desired({ 'eks-readers': ['dora'], 'eks-developers': ['dora'] }).filter((e) =>
      e.principalArn.endsWith('dora'),
    );

    // Assess
    expect(dora?.groups).toEqual(['developers', 'viewers']);
    expect(dora?.policies).toEqual([
      { policy: 'AmazonEKSEditPolicy', scope: { namespaces: ['dev'] } },
      { policy: 'AmazonEKSViewPolicy', scope: 'cluster' },
    ]);
    expect(
      mergePolicies([
        { policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['b'] } },
        { policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['a', 'b'] } },
      ]),
    ).toEqual([{ policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['a', 'b'] } }]);
  });
});

describe('planAccessEntries', () => {
  it('creates the entries the config wants, with their policies', () => {
    // Act
    const plan = planAccessEntries([], desired({ 'eks-readers': ['carol'] }), options);

    // Assess
    expect(plan.changes.map((c) => [c.action, c.principalArn])).toEqual([
      ['create', ssoRole],
      ['create', userArn('carol')],
    ]);
    expect(plan.changes[1]?.associate).toEqual([
      { policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['team-a', 'team-b'] } },
    ]);
    expect(describeAccessEntryPlan(plan)).toContain(
      `+ accessEntry ${userArn('carol')} username="carol" groups=[viewers] policies=[AmazonEKSViewPolicy(team-a team-b)]`,
    );
  });

  it('never touches a tagged entry that is not STANDARD, nor a cluster-admin of its own the config did not grant', () => {
    // Prepare: all carry its tag; none is wanted.
    const adminCluster = { policy: 'AmazonEKSAdminPolicy', scope: 'cluster' as const };
    const adminInTeam = { policy: 'AmazonEKSAdminPolicy', scope: { namespaces: ['team-a'] } };
    const current = [
      owned(`arn:aws:iam::${account}:role/eks-node-group-role`, { type: 'EC2_LINUX' }),
      owned(userArn('break-glass'), { policies: [adminCluster] }),
      owned(userArn('team-admin'), { policies: [adminInTeam] }),
      owned(userArn('granted'), {
        policies: [{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }],
        tags: { [managedTag.key]: managedTag.value, [adminGrantTag.key]: adminGrantTag.granted },
      }),
    ];

    // Act
    const plan = planAccessEntries(current, [], { ...options, force: true });

    // Assess: a namespaced admin is no cluster-admin, and a cluster-admin it granted may go.
    expect(plan.changes.map((c) => [c.action, c.principalArn])).toEqual([
      ['delete', userArn('granted')],
      ['delete', userArn('team-admin')],
    ]);
    expect(plan.protected.map((p) => p.principalArn)).toEqual([userArn('break-glass')]);
    expect(describeAccessEntryPlan(plan)).toContain(
      `! accessEntry ${userArn('break-glass')}: left as it is, cluster-admin (AmazonEKSAdminPolicy(cluster)) that the config did not grant: never changed or deleted by this tool`,
    );
  });

  it('never touches entries without its tag: node roles, Fargate, the creator, hand-made ones', () => {
    // Prepare
    const others = [
      entry(`arn:aws:iam::${account}:role/eks-node-group-role`, { type: 'EC2_LINUX' }),
      entry(`arn:aws:iam::${account}:role/eks-fargate-pod-execution-role`, { type: 'FARGATE_LINUX' }),
      entry(`arn:aws:iam::${account}:role/PlatformAdmin`, { username: 'creator' }),
    ];

    // Act
    const plan = planAccessEntries(others, [], options);

    // Assess
    expect(plan.changes).toEqual([]);
  });

  it('reports a hand-made entry for a principal it wants and leaves it, unless told to adopt it', () => {
    // Prepare
    const handMade = entry(userArn('carol'), { username: 'carol', groups: ['old'], policies: [] });
    const want = desired({ 'eks-readers': ['carol'] }).filter((d) => d.principalArn === userArn('carol'));

    // Act
    const left = planAccessEntries([handMade], want, options);
    const adopted = planAccessEntries([handMade], want, { ...options, adoptUnownedEntries: true });

    // Assess
    expect(left.changes).toEqual([]);
    expect(left.conflicts.map((c) => c.principalArn)).toEqual([userArn('carol')]);
    expect(adopted.changes).toMatchObject([
      { action: 'update', adopt: true, updateEntry: true, principalArn: userArn('carol') },
    ]);
  });

  it('updates its own entry: groups, username and policies converge, extra policies are disassociated', () => {
    // Prepare
    const mine = owned(userArn('carol'), {
      username: 'carol',
      groups: ['viewers', 'stale'],
      policies: [
        { policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['team-a'] } },
        { policy: 'AmazonEKSEditPolicy', scope: 'cluster' },
      ],
    });
    const want = desired({ 'eks-readers': ['carol'] }).filter((d) => d.principalArn === userArn('carol'));

    // Act
    const plan = planAccessEntries([mine], want, options);

    // Assess
    expect(plan.changes).toMatchObject([
      {
        action: 'update',
        updateEntry: true,
        associate: [{ policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['team-a', 'team-b'] } }],
        disassociate: ['AmazonEKSEditPolicy'],
      },
    ]);
  });

  it('is idempotent: what it created plans no change', () => {
    // Prepare
    const want = desired({ 'eks-readers': ['carol'], 'eks-admins': ['ann'] });
    // What it creates records a cluster-admin it grants (ann's, from system:masters).
    const current = want.map((d) =>
      owned(d.principalArn, {
        username: d.username,
        groups: d.groups,
        policies: d.policies,
        tags: {
          [managedTag.key]: managedTag.value,
          ...(grantsClusterAdmin(d.policies) ? { [adminGrantTag.key]: adminGrantTag.granted } : {}),
        },
      }),
    );

    // Act
    const plan = planAccessEntries(current, want, options);

    // Assess
    expect(plan.changes).toEqual([]);
    expect(plan.unchanged).toBe(want.length);
    expect(plan.inPlace).toHaveLength(want.length);
  });

  it('withholds deleting more than half of its entries (IAM answering empty groups by mistake), unless forced', () => {
    // Prepare
    const current = ['a', 'b', 'c', 'd'].map((u) => owned(userArn(u)));

    // Act
    const refused = planAccessEntries(current, [], options);
    const forced = planAccessEntries(current, [], { ...options, force: true });

    // Assess
    expect(refused.refusal).toMatch(/would delete 4 of the 4 access entries/);
    expect(refused.changes).toEqual([]);
    expect(refused.withheld).toHaveLength(4);
    expect(forced.changes.map((c) => c.action)).toEqual(['delete', 'delete', 'delete', 'delete']);
  });

  it('limits a membership event to the user it names', () => {
    // Prepare
    const current = [owned(userArn('dan')), owned(userArn('dora'))];

    // Act
    const plan = planAccessEntries(current, [], { ...options, scope: new Set([arnKey(userArn('dan'))]) });

    // Assess
    expect(plan.changes.map((c) => [c.action, c.principalArn])).toEqual([['delete', userArn('dan')]]);
  });

  it('never plans a change to an entry without its tag, whatever the cluster holds and the config wants', () => {
    const arn = fc.constantFrom(...['a', 'b', 'c', 'd', 'e'].map(userArn));
    const anEntry = fc.record({
      principalArn: arn,
      tagged: fc.boolean(),
      type: fc.constantFrom('STANDARD', 'EC2_LINUX', 'FARGATE_LINUX'),
      groups: fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(anEntry, { selector: (e) => e.principalArn }),
        fc.subarray(['a', 'b', 'c', 'd', 'e']),
        fc.boolean(),
        fc.boolean(),
        (entries, wantedUsers, adopt, force) => {
          const current = entries.map((e) =>
            e.tagged
              ? owned(e.principalArn, { type: e.type, groups: e.groups })
              : entry(e.principalArn, { type: e.type, groups: e.groups }),
          );
          const plan = planAccessEntries(current, desired({ 'eks-readers': wantedUsers }), {
            ...options,
            adoptUnownedEntries: adopt,
            force,
          });
          for (const change of plan.changes) {
            const before = current.find((c) => c.key === change.key);
            if (!before || before.tags[managedTag.key]) continue;
            // Only an adoption, of a STANDARD entry the config wants, when told to, may touch it.
            expect(change.action).toBe('update');
            expect(change.adopt && adopt && before.type === 'STANDARD').toBe(true);
          }
        },
      ),
    );
  });
});

describe('planAccessEntries: recreated principals', () => {
  const idTag = 'eks-access-sync.io/principal-id';
  const dan = userArn('dan');
  const grant = { username: 'dan', groups: ['viewers'] };
  const view = { policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['team-a', 'team-b'] } };
  const ids = new Map([[arnKey(dan), 'AIDANEW']]);

  it('replaces its entry made for an earlier id, and leaves it when IAM cannot say the id', () => {
    const current = [
      owned(dan, { ...grant, policies: [view], tags: { ...owned(dan).tags, [idTag]: 'AIDAOLD' } }),
    ];

    const plan = planAccessEntries(current, desired({ 'eks-readers': ['dan'] }), {
      ...options,
      principalIds: ids,
    });
    const unknown = planAccessEntries(current, desired({ 'eks-readers': ['dan'] }), options);

    expect(plan.changes.filter((c) => c.principalArn === dan)).toEqual([
      expect.objectContaining({ action: 'replace', principalId: 'AIDANEW', associate: [view] }),
    ]);
    expect(plan.unchanged).toBe(0);
    expect(unknown.changes.filter((c) => c.principalArn === dan)).toEqual([]);
    expect(unknown.unchanged).toBe(1);
  });

  it('never replaces a cluster-admin the config did not grant, whatever id it carries', () => {
    const admin = { policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' as const };
    const current = [
      owned(dan, { ...grant, policies: [view, admin], tags: { ...owned(dan).tags, [idTag]: 'AIDAOLD' } }),
    ];

    const plan = planAccessEntries(current, desired({ 'eks-readers': ['dan'] }), {
      ...options,
      principalIds: ids,
    });

    expect(plan.changes.filter((c) => c.principalArn === dan)).toEqual([]);
    expect(plan.protected.map((p) => p.principalArn)).toEqual([dan]);
  });
});
