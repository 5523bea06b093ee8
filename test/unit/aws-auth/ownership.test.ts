import { describe, expect, it } from 'vitest';
import { arnKey } from '../../../src/domain/arn';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { desiredEntries, type GroupMembers } from '../../../src/domain/aws-auth/desired-state';
import {
  encodeOwnership,
  entryDigest,
  maxOwnershipBytes,
  ownedAnnotation,
  readOwnership,
} from '../../../src/domain/aws-auth/ownership';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { AwsAuthParseError } from '../../../src/domain/errors';
import { type AwsAuthConfigMap, applyPlan, loadAwsAuthFixture, mappings } from './aws-auth-configmap';

const config = parseAccessConfig(`
clusters: [{ name: prod, region: eu-west-1 }]
groups: [{ iamGroup: eks-readers, kubernetesGroups: [viewers] }]
`);
const nodeRole = 'arn:aws:iam::111122223333:role/eks-node-group-role';
const userArn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const members = (...names: string[]): GroupMembers =>
  new Map([['eks-readers', names.map((n) => ({ userName: n, arn: userArn(n) }))]]);
const desired = (...names: string[]) => desiredEntries(config, 'prod', members(...names));
const nodeRoles = () => loadAwsAuthFixture('node-fargate-windows-roles.yaml');
const entryOf = (configMap: AwsAuthConfigMap, arn: string) =>
  mappings(configMap.data).find(([, a]) => a === arn);

/** aws-auth after the tool wrote alice and bob, then someone gave bob `ops` by hand. */
function bobEditedByHand(): AwsAuthConfigMap {
  const synced = applyPlan(nodeRoles(), desired('alice', 'bob')).next;
  const mapUsers = synced.data.mapUsers?.replace(
    /(user\/bob"\n {2}username: "bob"\n {2}groups:\n {4}- "viewers"\n)/,
    '$1    - "ops"\n',
  );
  expect(mapUsers).toContain('- "ops"');
  return { ...synced, data: { ...synced.data, mapUsers: mapUsers ?? '' } };
}

describe('an ownership claim on an entry the tool could never have written', () => {
  it('keeps the node role when an annotation copied from elsewhere lists it, and reports the claim', () => {
    // Prepare: `kubectl get cm -o yaml` from another cluster, the annotation edited to list the node role.
    const current = {
      ...nodeRoles(),
      annotations: { [ownedAnnotation]: JSON.stringify({ mapRoles: [arnKey(nodeRole)], mapUsers: [] }) },
    };

    // Act
    const { plan, next } = applyPlan(current, desired());

    // Assess
    expect(plan.changes).toEqual([]);
    expect(entryOf(next, nodeRole)).toEqual(entryOf(current, nodeRole));
    expect(plan.ignoredClaims).toEqual([
      {
        section: 'mapRoles',
        arn: nodeRole,
        why: "its username system:node:{{EC2PrivateDNSName}} is a node's, which this tool never writes",
      },
    ]);
    expect(readOwnership(next.annotations).mapRoles.size).toBe(0);
  });

  it('ignores it even with the digest of exactly that entry, and for any system: group but an allowed system:masters', () => {
    // Prepare: a claim forged with the right digest on each node role and on the break-glass user.
    const entries = parseAwsAuth(nodeRoles().data).entries;
    const owned = { mapRoles: new Map<string, string>(), mapUsers: new Map<string, string>() };
    for (const e of entries) owned[e.section].set(e.key, entryDigest(e));
    const current = { ...nodeRoles(), annotations: { [ownedAnnotation]: encodeOwnership(owned) } };

    // Act
    const { plan, next } = applyPlan(current, desired(), { force: true });

    // Assess
    expect(plan.changes).toEqual([]);
    expect(mappings(next.data)).toEqual(mappings(current.data));
    expect(plan.ignoredClaims.map((c) => c.arn)).toEqual([...entries.map((e) => e.arn)].sort());
    expect(plan.ignoredClaims.find((c) => c.section === 'mapUsers')?.why).toBe(
      'it grants system:masters, which this tool never writes',
    );
  });

  it('does not write a mapping the config asks for with a node username, and says why', () => {
    // Prepare: the config refuses such a mapping (the privilege policy); the plan refuses it too, for a
    // config that reaches it some other way.
    const asked = `
clusters: [{ name: prod, region: eu-west-1 }]
roles: [{ roleArn: "arn:aws:iam::111122223333:role/extra-nodes", username: "system:node:{{EC2PrivateDNSName}}" }]
`;
    expect(() => parseAccessConfig(asked)).toThrow(
      /roles\[0\]\.username .*reserved for Kubernetes components/,
    );
    const nodeConfig = parseAccessConfig(asked.replace('system:node:', 'extra-nodes:'));
    (nodeConfig.roles[0] as { username: string }).username = 'system:node:{{EC2PrivateDNSName}}';

    // Act
    const { plan, next } = applyPlan(
      { data: {}, annotations: {} },
      desiredEntries(nodeConfig, 'prod', new Map()),
    );

    // Assess
    expect(plan.changes).toEqual([]);
    expect(plan.unwritable.map((u) => u.arn)).toEqual(['arn:aws:iam::111122223333:role/extra-nodes']);
    expect(next.data).toEqual({});
  });
});

describe('an owned entry changed by someone else', () => {
  it('is reported and never removed, run after run, when its user leaves (onDrift: report)', () => {
    // Prepare
    const current = bobEditedByHand();

    // Act
    const first = applyPlan(current, desired('alice'));
    const second = applyPlan(first.next, desired('alice'));

    // Assess
    expect(first.plan.changes).toEqual([]);
    expect(first.plan.drifted).toEqual([
      {
        section: 'mapUsers',
        arn: userArn('bob'),
        existing: { arn: userArn('bob'), username: 'bob', groups: ['viewers', 'ops'] },
        resolution: 'reported',
      },
    ]);
    expect(entryOf(first.next, userArn('bob'))).toEqual([
      'mapUsers',
      userArn('bob'),
      'bob',
      ['viewers', 'ops'],
    ]);
    expect(first.changes).toBe(false);
    expect(second.plan.drifted.map((d) => d.arn)).toEqual([userArn('bob')]);
  });

  it('is put back as the config wants it with onDrift: restore', () => {
    // Act
    const { plan, next } = applyPlan(bobEditedByHand(), desired('alice', 'bob'), { onDrift: 'restore' });

    // Assess
    expect(plan.drifted.map((d) => [d.arn, d.resolution])).toEqual([[userArn('bob'), 'restored']]);
    expect(entryOf(next, userArn('bob'))).toEqual(['mapUsers', userArn('bob'), 'bob', ['viewers']]);
    expect(applyPlan(next, desired('alice', 'bob')).plan.drifted).toEqual([]);
  });

  it('becomes theirs with onDrift: release: kept as it is, no longer claimed, a conflict when still wanted', () => {
    // Act
    const { plan, next } = applyPlan(bobEditedByHand(), desired('alice', 'bob'), { onDrift: 'release' });

    // Assess
    expect(plan.drifted.map((d) => d.resolution)).toEqual(['released']);
    expect(plan.conflicts.map((c) => c.arn)).toEqual([userArn('bob')]);
    expect(entryOf(next, userArn('bob'))).toEqual(['mapUsers', userArn('bob'), 'bob', ['viewers', 'ops']]);
    expect([...readOwnership(next.annotations).mapUsers.keys()]).toEqual([arnKey(userArn('alice'))]);
  });
});

describe('the first annotation format (keys only)', () => {
  it('is migrated on the next write: entries still as the tool writes them stay owned, a hand-edited one is drift', () => {
    // Prepare: what a cluster carries today; bob's groups, edited by hand, are no longer sorted as the tool writes them.
    const current = bobEditedByHand();
    current.annotations = {
      [ownedAnnotation]: JSON.stringify({
        mapRoles: [],
        mapUsers: ['alice', 'bob'].map((n) => arnKey(userArn(n))),
      }),
    };

    // Act: alice and bob left IAM.
    const { plan, next, changes } = applyPlan(current, desired('carol'));

    // Assess
    expect(changes).toBe(true);
    expect(plan.changes.map((c) => [c.arn, c.after ? 'add' : 'remove'])).toEqual([
      [userArn('alice'), 'remove'],
      [userArn('carol'), 'add'],
    ]);
    expect(plan.drifted.map((d) => d.arn)).toEqual([userArn('bob')]);
    expect(JSON.parse(next.annotations[ownedAnnotation] ?? '')).toEqual({
      v: 2,
      mapRoles: {},
      mapUsers: {
        'arn:aws:iam::111122223333:user/': {
          carol: entryDigest({
            section: 'mapUsers',
            arn: userArn('carol'),
            username: 'carol',
            groups: ['viewers'],
          }),
        },
      },
    });
  });
});

describe('a first-format claim on an entry written by hand', () => {
  it("is not believed, even with groups sorted as the tool sorts them: only the tool's own text is", () => {
    // Prepare: a hand-mapped user, and an annotation copied from a cluster where the tool owned that ARN.
    const handWritten =
      '- userarn: arn:aws:iam::111122223333:user/zed\n  username: zed\n  groups: [viewers]\n';
    const current = {
      data: { mapUsers: handWritten },
      annotations: {
        [ownedAnnotation]: JSON.stringify({ mapRoles: [], mapUsers: [arnKey(userArn('zed'))] }),
      },
    };

    // Act
    const { plan, next } = applyPlan(current, desired());

    // Assess
    expect(plan.changes).toEqual([]);
    expect(plan.drifted.map((d) => d.arn)).toEqual([userArn('zed')]);
    expect(next.data.mapUsers).toBe(handWritten);
  });
});

describe('reading the annotation', () => {
  it.each([
    ['not JSON', '{mapRoles: ['],
    ['an unknown format version', '{"v":3}'],
    ['a claim without a digest', '{"v":2,"mapUsers":{"arn:aws:iam::1:user/":{"a":""}}}'],
    ['a list where prefixes belong', '{"v":2,"mapUsers":["arn:aws:iam::1:user/a"]}'],
    ['more than Kubernetes lets an annotation hold', `{"v":2,"x":"${'a'.repeat(maxOwnershipBytes)}"}`],
  ])('refuses %s, so nothing is written over it', (_, raw) => {
    expect(() => readOwnership({ [ownedAnnotation]: raw })).toThrow(AwsAuthParseError);
  });

  it('costs 14 bytes plus the user name per owned user, the account written once: about 20 less than before', () => {
    // Prepare
    const names = Array.from({ length: 5000 }, (_, i) => `user.number-${i}`);
    const plan = applyPlan({ data: {}, annotations: {} }, desired(...names), {}).plan;

    // Act
    const bytes = Buffer.byteLength(encodeOwnership(plan.owned));

    // Assess
    const nameBytes = names.reduce((sum, n) => sum + n.length, 0);
    expect(bytes - nameBytes).toBeLessThanOrEqual(5000 * 14 + 100);
    const firstFormat = JSON.stringify({ mapRoles: [], mapUsers: [...plan.owned.mapUsers.keys()] });
    expect(Buffer.byteLength(firstFormat) - bytes).toBeGreaterThanOrEqual(5000 * 19);
  });
});
