import { describe, expect, it } from 'vitest';
import { arnKey } from '../../../src/domain/arn';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { desiredEntries, type GroupMembers } from '../../../src/domain/aws-auth/desired-state';
import { readOwnership } from '../../../src/domain/aws-auth/ownership';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { type AwsAuthConfigMap, applyPlan, loadAwsAuthFixture, mappings } from './aws-auth-configmap';

const config = parseAccessConfig(`
clusters:
  - name: prod
    region: eu-west-1
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [platform-admins]
  - iamGroup: eks-developers
    kubernetesGroups: [viewers, developers]
  - iamGroup: eks-readers
    kubernetesGroups: [viewers]
roles:
  - roleArn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123456789abcdef
    username: "sso-dev:{{SessionName}}"
    kubernetesGroups: [developers]
`);

const account = '111122223333';
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const userKey = (name: string) => arnKey(userArn(name));

/** IAM group members by group name; a member written `path/name` gets that path in its ARN. */
function members(groups: Record<string, string[]>): GroupMembers {
  return new Map(
    Object.entries(groups).map(([group, users]) => [
      group,
      users.map((user) => ({ userName: user.split('/').at(-1) ?? user, arn: userArn(user) })),
    ]),
  );
}

const desired = (groups: Record<string, string[]>) => desiredEntries(config, 'prod', members(groups));
const nodeRoles = () => loadAwsAuthFixture('node-fargate-windows-roles.yaml');
const userEntries = (configMap: AwsAuthConfigMap) =>
  mappings(configMap.data).filter(([section]) => section === 'mapUsers');

/** A ConfigMap holding the node roles and the given users, all of them written by the tool. */
function synced(groups: Record<string, string[]>): AwsAuthConfigMap {
  return applyPlan(nodeRoles(), desired(groups)).next;
}

describe('desiredEntries', () => {
  it('maps the SSO role without its path and each user by its IAM ARN, path included', () => {
    // Act
    const entries = desired({ 'eks-readers': ['engineering/carol'] });

    // Assess
    expect(entries.map((e) => [e.section, e.arn, e.username, e.groups])).toEqual([
      [
        'mapRoles',
        'arn:aws:iam::111122223333:role/AWSReservedSSO_Dev_0123456789abcdef',
        'sso-dev:{{SessionName}}',
        ['developers'],
      ],
      ['mapUsers', 'arn:aws:iam::111122223333:user/engineering/carol', 'carol', ['viewers']],
    ]);
  });

  it('gives a user in several mapped groups one entry with the union of the groups, sorted, deduplicated', () => {
    // Act
    const entries = desired({
      'eks-admins': ['alice'],
      'eks-developers': ['alice', 'bob'],
      'eks-readers': ['alice'],
    });

    // Assess
    expect(
      entries.filter((e) => e.section === 'mapUsers').map((e) => [e.username, e.groups, e.sources]),
    ).toEqual([
      [
        'alice',
        ['developers', 'platform-admins', 'viewers'],
        ['group eks-admins', 'group eks-developers', 'group eks-readers'],
      ],
      ['bob', ['developers', 'viewers'], ['group eks-developers']],
    ]);
  });
});

describe('planAwsAuth', () => {
  it('adds a mapUsers entry for a user who joins a mapped group', () => {
    // Prepare
    const current = synced({ 'eks-admins': ['alice'] });

    // Act
    const { plan, next } = applyPlan(current, desired({ 'eks-admins': ['alice', 'bob'] }));

    // Assess
    expect(plan.changes).toEqual([
      {
        section: 'mapUsers',
        key: userKey('bob'),
        arn: userArn('bob'),
        after: { arn: userArn('bob'), username: 'bob', groups: ['platform-admins'] },
      },
    ]);
    expect(plan.unchanged).toBe(2);
    expect(userEntries(next)).toContainEqual(['mapUsers', userArn('bob'), 'bob', ['platform-admins']]);
  });

  it('removes the entry of a user who leaves the mapped group', () => {
    // Prepare
    const current = synced({ 'eks-admins': ['alice', 'bob'] });

    // Act
    const { plan, next } = applyPlan(current, desired({ 'eks-admins': ['alice'] }));

    // Assess
    expect(plan.changes).toEqual([
      {
        section: 'mapUsers',
        key: userKey('bob'),
        arn: userArn('bob'),
        before: { arn: userArn('bob'), username: 'bob', groups: ['platform-admins'] },
      },
    ]);
    expect(userEntries(next).map(([, arn]) => arn)).toEqual([
      'arn:aws:iam::111122223333:user/break-glass',
      userArn('alice'),
    ]);
    expect(new Set(readOwnership(next.annotations).mapUsers.keys())).toEqual(new Set([userKey('alice')]));
  });

  it('updates the groups of a user who joins a second mapped group', () => {
    // Prepare
    const current = synced({ 'eks-readers': ['alice'] });

    // Act
    const { plan } = applyPlan(current, desired({ 'eks-readers': ['alice'], 'eks-admins': ['alice'] }));

    // Assess
    expect(plan.changes).toEqual([
      expect.objectContaining({
        key: userKey('alice'),
        before: { arn: userArn('alice'), username: 'alice', groups: ['viewers'] },
        after: { arn: userArn('alice'), username: 'alice', groups: ['platform-admins', 'viewers'] },
      }),
    ]);
  });

  it.each([
    ['node group', 'arn:aws:iam::111122223333:role/eks-node-group-role'],
    ['Fargate pod execution', 'arn:aws:iam::111122223333:role/eks-fargate-pod-execution-role'],
    ['Windows node', 'arn:aws:iam::111122223333:role/eks-windows-node-role'],
  ])('keeps the %s role untouched when the IAM groups are emptied', (_, roleArn) => {
    // Prepare
    const before = mappings(nodeRoles().data).find(([, arn]) => arn === roleArn);
    const current = synced({ 'eks-admins': ['alice'], 'eks-readers': ['bob'] });

    // Act
    const { plan, next } = applyPlan(current, desired({}), { force: true });

    // Assess
    expect(plan.changes.map((c) => c.arn)).not.toContain(roleArn);
    expect(mappings(next.data).find(([, arn]) => arn === roleArn)).toEqual(before);
  });

  it('keeps the hand-written break-glass user when every mapped group is emptied', () => {
    // Prepare
    const current = synced({ 'eks-admins': ['alice'] });

    // Act
    const { next } = applyPlan(current, desired({}), { force: true });

    // Assess
    expect(userEntries(next)).toEqual([
      ['mapUsers', 'arn:aws:iam::111122223333:user/break-glass', 'break-glass', ['system:masters']],
    ]);
  });

  describe('an unowned entry for an ARN the config wants', () => {
    const wantsBreakGlass = () => desired({ 'eks-admins': ['break-glass'] });
    const breakGlass = ['mapUsers', userArn('break-glass'), 'break-glass', ['system:masters']];

    it('is reported as a conflict, left as it is and not mapped a second time', () => {
      // Prepare
      const current = nodeRoles();

      // Act
      const { plan, next } = applyPlan(current, wantsBreakGlass());

      // Assess
      expect(plan.conflicts).toEqual([
        {
          section: 'mapUsers',
          arn: userArn('break-glass'),
          existing: { arn: userArn('break-glass'), username: 'break-glass', groups: ['system:masters'] },
          wanted: { arn: userArn('break-glass'), username: 'break-glass', groups: ['platform-admins'] },
        },
      ]);
      expect(plan.changes.map((c) => c.key)).not.toContain(userKey('break-glass'));
      expect(plan.owned.mapUsers.has(userKey('break-glass'))).toBe(false);
      expect(userEntries(next)).toEqual([breakGlass]);
    });

    it('is adopted and converged when the config says adoptUnownedEntries', () => {
      // Prepare
      const current = nodeRoles();

      // Act
      const { plan, next } = applyPlan(current, wantsBreakGlass(), { adoptUnownedEntries: true });

      // Assess
      expect(plan.conflicts).toEqual([]);
      expect(plan.changes).toContainEqual({
        section: 'mapUsers',
        key: userKey('break-glass'),
        arn: userArn('break-glass'),
        before: { arn: userArn('break-glass'), username: 'break-glass', groups: ['system:masters'] },
        after: { arn: userArn('break-glass'), username: 'break-glass', groups: ['platform-admins'] },
      });
      expect(userEntries(next)).toEqual([
        ['mapUsers', userArn('break-glass'), 'break-glass', ['platform-admins']],
      ]);
      expect(new Set(readOwnership(next.annotations).mapUsers.keys())).toEqual(
        new Set([userKey('break-glass')]),
      );
      expect(applyPlan(next, wantsBreakGlass(), { adoptUnownedEntries: true }).changes).toBe(false);
    });
  });

  describe('the mass-removal guard', () => {
    const five = { 'eks-readers': ['u1', 'u2', 'u3', 'u4', 'u5'] };

    it('withholds removing more than half of the owned entries and says why', () => {
      // Prepare: 6 owned entries (5 users and the SSO role); IAM answers with empty groups by mistake.
      const current = synced(five);

      // Act
      const { plan, changes } = applyPlan(current, desired({}));

      // Assess
      expect(plan.refusal).toBe(
        'would remove 5 of the 6 entries this tool owns (more than 50%); removals withheld, run with force to apply them',
      );
      expect(plan.withheld.map((c) => c.arn)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5'].map(userArn));
      expect(plan.changes).toEqual([]);
      expect(changes).toBe(false);
    });

    it('keeps the withheld entries and their ownership when it also applies other changes', () => {
      // Prepare
      const current = synced(five);

      // Act
      const { plan, next } = applyPlan(current, desired({ 'eks-admins': ['zoe'] }));

      // Assess
      // Counted against the 6 owned before the plan: zoe, added by it, does not dilute the share.
      expect(plan.refusal).toMatch(/^would remove 5 of the 6 entries/);
      expect(plan.changes.map((c) => c.key)).toEqual([userKey('zoe')]);
      expect(userEntries(next).map(([, arn]) => arn)).toEqual([
        userArn('break-glass'),
        ...['u1', 'u2', 'u3', 'u4', 'u5', 'zoe'].map(userArn),
      ]);
      expect(readOwnership(next.annotations).mapUsers.size).toBe(6);
    });

    it('removes the withheld entries when forced', () => {
      // Prepare
      const current = synced(five);

      // Act
      const { plan, next } = applyPlan(current, desired({}), { force: true });

      // Assess
      expect(plan.refusal).toBeUndefined();
      expect(plan.withheld).toEqual([]);
      expect(plan.changes.filter((c) => c.after === undefined)).toHaveLength(5);
      expect(userEntries(next)).toEqual(userEntries(nodeRoles()));
    });

    it.each([
      { owned: 2, removed: 2, withheld: false },
      { owned: 3, removed: 2, withheld: false },
      { owned: 4, removed: 3, withheld: true },
      { owned: 5, removed: 3, withheld: true },
      { owned: 6, removed: 3, withheld: false },
      { owned: 10, removed: 5, withheld: false },
      { owned: 10, removed: 6, withheld: true },
    ])(
      'with $owned owned entries, withholds $removed removals: $withheld',
      ({ owned, removed, withheld }) => {
        // Prepare: only users here, so the count of owned entries is exact.
        const config = parseAccessConfig(
          'clusters: [{ name: prod, region: eu-west-1 }]\ngroups: [{ iamGroup: team, kubernetesGroups: [team] }]',
        );
        const users = Array.from({ length: owned }, (_, i) => `user-${i}`);
        const wanted = (names: string[]) => desiredEntries(config, 'prod', members({ team: names }));
        const current = applyPlan({ data: {}, annotations: {} }, wanted(users)).next;

        // Act
        const { plan } = applyPlan(current, wanted(users.slice(removed)));

        // Assess
        expect(plan.withheld).toHaveLength(withheld ? removed : 0);
        expect(plan.changes).toHaveLength(withheld ? 0 : removed);
      },
    );

    it('never withholds exactly two removals, even of the only two owned entries', () => {
      // Prepare
      const config = parseAccessConfig(
        'clusters: [{ name: prod, region: eu-west-1 }]\ngroups: [{ iamGroup: team, kubernetesGroups: [team] }]',
      );
      const current = applyPlan(
        { data: {}, annotations: {} },
        desiredEntries(config, 'prod', members({ team: ['alice', 'bob'] })),
      ).next;

      // Act
      const { plan, next } = applyPlan(current, []);

      // Assess
      expect(plan.refusal).toBeUndefined();
      expect(next.data.mapUsers).toBe('[]\n');
    });
  });

  describe('a plan scoped to one user', () => {
    it('changes only that user and leaves every other owned entry as it is', () => {
      // Prepare: IAM now says bob left and carol joined, but the event was about alice.
      const current = synced({ 'eks-readers': ['alice', 'bob'] });
      const wanted = desired({ 'eks-readers': ['alice', 'carol'], 'eks-admins': ['alice'] });

      // Act
      const { plan, next } = applyPlan(current, wanted, { scope: new Set([userKey('alice')]) });

      // Assess
      expect(plan.changes.map((c) => c.key)).toEqual([userKey('alice')]);
      expect(userEntries(next).map(([, arn, , groups]) => [arn, groups])).toEqual([
        [userArn('break-glass'), ['system:masters']],
        [userArn('alice'), ['platform-admins', 'viewers']],
        [userArn('bob'), ['viewers']],
      ]);
      expect(new Set(readOwnership(next.annotations).mapUsers.keys())).toEqual(
        new Set([userKey('alice'), userKey('bob')]),
      );
    });

    it('removes that user alone when the user left every mapped group', () => {
      // Prepare
      const current = synced({ 'eks-readers': ['alice', 'bob'] });

      // Act
      const { plan } = applyPlan(current, desired({}), { scope: new Set([userKey('bob')]) });

      // Assess
      expect(plan.changes).toEqual([
        {
          section: 'mapUsers',
          key: userKey('bob'),
          arn: userArn('bob'),
          before: { arn: userArn('bob'), username: 'bob', groups: ['viewers'] },
        },
      ]);
      expect(plan.refusal).toBeUndefined();
    });
  });

  describe('idempotence', () => {
    it.each([
      ['a first sync', {}],
      ['adding users', { 'eks-readers': ['alice'], 'eks-developers': ['engineering/carol', 'bob'] }],
      ['removing users', { 'eks-admins': ['alice'] }],
    ])('plans no change right after applying %s', (_, groups) => {
      // Prepare
      const first = applyPlan(synced({ 'eks-admins': ['alice'], 'eks-readers': ['bob'] }), desired(groups));

      // Act
      const second = applyPlan(first.next, desired(groups));

      // Assess
      expect(second.plan.changes).toEqual([]);
      expect(second.changes).toBe(false);
      expect(second.plan.unchanged).toBe(parseAwsAuth(first.next.data).entries.length - 4);
    });
  });
});
