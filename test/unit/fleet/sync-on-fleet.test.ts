import { describe, expect, it } from 'vitest';
import type { IamDirectory } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { syncAccessHandler } from '../../../src/lambda/sync-access-handler';
import { memoryClusters } from '../../support/memory-clusters';
import { fakeFleet } from './fake-fleet';

const account = '222233334444';
const userArn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;

/** No cluster listed: every managed cluster is one a selector finds. */
const config = parseAccessConfig(`
clusters: []
groups:
  - {iamGroup: devs, kubernetesGroups: [developers]}
bootstrap:
  selectors: [{namePattern: team-*, accounts: ["${account}"], regions: [us-east-1, eu-west-1], backend: configMap}]
`);
const teamA = { name: 'team-a', region: 'us-east-1', accountId: account };
const teamB = { name: 'team-b', region: 'eu-west-1', accountId: account };
const unreachable = {
  accountId: account,
  region: 'ap-south-1',
  reason: `account ${account} in ap-south-1: ThrottlingException: Rate exceeded`,
};

function iam(members: Record<string, string[]>): IamDirectory {
  return {
    async groupMembers(group) {
      return members[group]?.map((u) => ({ userName: u, arn: userArn(u) }));
    },
    async userGroups(userName) {
      const groups = Object.keys(members).filter((g) => members[g]?.includes(userName));
      return { user: { userName, arn: userArn(userName) }, groups };
    },
  };
}

function world(found = [teamA, teamB], places = [unreachable]) {
  const clusters = memoryClusters();
  const fleet = fakeFleet(config, found, places);
  const members = { devs: ['dan'] };
  const run = syncAccess({
    config,
    iam: iam(members),
    clusters: clusters.access,
    fleet: fleet.fleet,
    sleep: async () => {},
  });
  const arns = (cluster: string) =>
    parseAwsAuth(clusters.awsAuth(cluster)?.data ?? {}).entries.map((e) => e.arn);
  return { run, arns, members, fleet, clusters };
}

describe('syncAccess works on the fleet', () => {
  it('a membership event reaches the clusters a selector found, with an empty clusters: list', async () => {
    // Prepare
    const w = world();

    // Act
    const summary = await w.run({
      kind: 'membership',
      changes: [{ userName: 'dan', group: 'devs' }],
      why: 'test',
    });

    // Assess
    expect(summary.clusters.map((c) => [c.cluster, c.status, c.added])).toEqual([
      ['team-a', 'updated', [userArn('dan')]],
      ['team-b', 'updated', [userArn('dan')]],
    ]);
    expect(w.arns('team-a')).toEqual([userArn('dan')]);
    expect(summary.unreachablePlaces).toEqual([unreachable]);
  });

  it('a reconcile syncs every found cluster and names the place it could not list; one fleet look per run', async () => {
    // Prepare
    const w = world();

    // Act
    const summary = await w.run({ kind: 'reconcile', apply: true, force: false, why: 'schedule' });

    // Assess
    expect(summary.clusters.map((c) => `${c.cluster} ${c.status}`)).toEqual([
      'team-a updated',
      'team-b updated',
    ]);
    expect(summary.unreachablePlaces?.map((p) => p.reason)).toEqual([unreachable.reason]);
    expect(w.fleet.calls()).toBe(1);
  });

  it('plans and rolls back a found cluster by name', async () => {
    // Prepare
    const w = world();
    await w.run({ kind: 'reconcile', apply: true, force: false, why: 'first' });
    w.members.devs.push('dora');
    await w.run({ kind: 'reconcile', apply: true, force: false, clusters: ['team-b'], why: 'second' });

    // Act
    const plan = await w.run({
      kind: 'reconcile',
      apply: false,
      force: false,
      clusters: ['team-a'],
      why: 'plan',
    });
    const rollback = await w.run({
      kind: 'rollback',
      clusters: ['team-b'],
      why: 'undo',
      requestId: 'undo-1',
    });

    // Assess
    expect(plan.clusters).toEqual([
      expect.objectContaining({ cluster: 'team-a', status: 'planned', added: [userArn('dora')] }),
    ]);
    expect(rollback.clusters).toEqual([expect.objectContaining({ cluster: 'team-b', status: 'updated' })]);
    expect(w.arns('team-b')).toEqual([userArn('dan')]);
    expect(w.arns('team-a')).toEqual([userArn('dan')]);
  });

  it('a cluster in a place that could not be listed is named as such when asked for, and nothing is written', async () => {
    // Prepare: team-b's region could not be listed this time.
    const w = world(
      [teamA],
      [{ ...unreachable, region: 'eu-west-1', reason: `account ${account} in eu-west-1: AccessDenied` }],
    );

    // Act
    const asked = w.run({
      kind: 'reconcile',
      apply: true,
      force: false,
      clusters: ['team-b'],
      why: 'manual',
    });

    // Assess
    await expect(asked).rejects.toThrow(
      `not in the config nor found by its selectors: team-b (not listed: account ${account} in eu-west-1: AccessDenied)`,
    );
    expect(w.clusters.awsAuth('team-b')).toBeUndefined();
  });
});

describe('a place that cannot be listed is not silent', () => {
  it('counts it in PlacesUnreachable on a scheduled reconcile, while the clusters found elsewhere sync', async () => {
    // Prepare
    const w = world([teamA]);
    const added = new Map<string, number>();
    const sink = {
      addMetric: (name: string, _unit: unknown, value: number) => added.set(name, value) as never,
    };
    const deps = { config, iam: iam({ devs: ['dan'] }), clusters: w.clusters.access, fleet: w.fleet.fleet };

    // Act
    const result = await syncAccessHandler(
      () => deps,
      sink,
    )({ source: 'aws.events', 'detail-type': 'Scheduled Event' });

    // Assess
    expect(added.get('PlacesUnreachable')).toBe(1);
    expect('clusters' in result && result.clusters.map((c) => `${c.cluster} ${c.status}`)).toEqual([
      'team-a updated',
    ]);
  });
});
