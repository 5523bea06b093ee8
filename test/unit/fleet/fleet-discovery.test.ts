import { describe, expect, it } from 'vitest';
import { discoveredFleet } from '../../../src/app/fleet/discover-fleet';
import type { ClusterLister } from '../../../src/app/fleet/fleet-ports';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import type { ListedCluster } from '../../../src/domain/fleet/fleet-members';
import { type FleetPlace, fleetPlaces, placeKey } from '../../../src/domain/fleet/fleet-places';

const accountA = '111111111111';
const accountB = '222222222222';

const configText = `
clusters: [{name: prod-east, region: us-east-1}]
bootstrap:
  selectors:
    - namePattern: team-*
      tags: {eks-access-sync: managed}
      accounts: ["${accountA}", "${accountB}"]
      regions: [eu-west-1, us-east-1]
      roleArn: arn:aws:iam::{account}:role/eks-access-sync
`;

const cluster = (name: string, region: string, accountId: string, extra: Partial<ListedCluster> = {}) => ({
  name,
  region,
  accountId,
  status: 'ACTIVE',
  authenticationMode: 'CONFIG_MAP' as const,
  tags: { 'eks-access-sync': 'managed' },
  ...extra,
});

/** EKS in memory: clusters per place; a place can be made to fail; every listing is counted. */
function fakeLister(clusters: Record<string, ListedCluster[]>) {
  const listed: string[] = [];
  const failing = new Map<string, string>();
  const lister: ClusterLister = {
    async list(place: FleetPlace) {
      const key = placeKey(place);
      listed.push(key);
      const failure = failing.get(key);
      if (failure) throw new Error(failure);
      return clusters[key] ?? [];
    },
  };
  return { lister, listed, failing };
}

function world(clusters: Record<string, ListedCluster[]>, text = configText) {
  const clock = { time: new Date('2026-12-04T10:00:00Z'), now: () => new Date(clock.time) };
  const fake = fakeLister(clusters);
  const config = parseAccessConfig(text);
  const fleet = discoveredFleet({
    config,
    lister: fake.lister,
    clock,
    homeRegion: 'us-east-1',
    ttlSeconds: 60,
  });
  const advance = (seconds: number) => (clock.time = new Date(clock.time.getTime() + seconds * 1000));
  return { fleet, ...fake, advance, config };
}

const names = (view: Awaited<ReturnType<ReturnType<typeof discoveredFleet>['clusters']>>) =>
  view.clusters.map(
    (m) => `${m.cluster.name}@${m.cluster.region}/${m.cluster.accountId ?? '-'} ${m.foundBy}`,
  );

describe('fleet places', () => {
  it("lists each selector's accounts × regions once, through the selector's role for that account", () => {
    // Act
    const places = fleetPlaces(parseAccessConfig(configText), 'us-east-1');

    // Assess
    expect(places.map((p) => [placeKey(p), p.roleArn, p.namePatterns])).toEqual([
      [`${accountA}/eu-west-1`, `arn:aws:iam::${accountA}:role/eks-access-sync`, ['team-*']],
      [`${accountA}/us-east-1`, `arn:aws:iam::${accountA}:role/eks-access-sync`, ['team-*']],
      [`${accountB}/eu-west-1`, `arn:aws:iam::${accountB}:role/eks-access-sync`, ['team-*']],
      [`${accountB}/us-east-1`, `arn:aws:iam::${accountB}:role/eks-access-sync`, ['team-*']],
    ]);
  });

  it("looks in the function's own account and region when a selector names neither; a tags-only selector there needs every name", () => {
    // Act
    const places = fleetPlaces(
      parseAccessConfig(`
bootstrap:
  selectors:
    - {namePattern: team-*}
    - {tags: {eks-access-sync: managed}}
    - {namePattern: ops-*, roleArn: "arn:aws:iam::${accountB}:role/lister"}
`),
      'eu-central-1',
    );

    // Assess
    expect(places).toEqual([
      {
        accountId: accountB,
        region: 'eu-central-1',
        roleArn: `arn:aws:iam::${accountB}:role/lister`,
        namePatterns: ['ops-*'],
      },
      { region: 'eu-central-1' },
    ]);
  });
});

describe('fleet discovery', () => {
  it('is the listed clusters plus every ACTIVE cluster a selector matches, in every account and region', async () => {
    // Prepare
    const w = world({
      [`${accountA}/us-east-1`]: [
        cluster('team-a', 'us-east-1', accountA),
        cluster('team-untagged', 'us-east-1', accountA, { tags: {} }),
        cluster('other', 'us-east-1', accountA),
      ],
      [`${accountB}/eu-west-1`]: [
        cluster('team-a', 'eu-west-1', accountB, { authenticationMode: 'API' }),
        cluster('team-new', 'eu-west-1', accountB, { status: 'CREATING' }),
        cluster('team-old', 'eu-west-1', accountB, { status: 'DELETING' }),
      ],
    });

    // Act
    const view = await w.fleet.clusters();

    // Assess
    const by = 'bootstrap selector 0 (namePattern team-*)';
    expect(names(view)).toEqual([
      'prod-east@us-east-1/- config',
      `team-a@eu-west-1/${accountB} ${by}`,
      `team-a@us-east-1/${accountA} ${by}`,
    ]);
    expect(view.clusters[1]).toMatchObject({
      cluster: { roleArn: `arn:aws:iam::${accountB}:role/eks-access-sync`, backend: 'auto', foundBy: by },
      status: 'ACTIVE',
      authenticationMode: 'API',
    });
    expect(view.unreachablePlaces).toEqual([]);
    expect(w.listed.sort()).toEqual([
      `${accountA}/eu-west-1`,
      `${accountA}/us-east-1`,
      `${accountB}/eu-west-1`,
      `${accountB}/us-east-1`,
    ]);
  });

  it('reports a place that cannot be listed by name, and still has the clusters found elsewhere', async () => {
    // Prepare
    const w = world({
      [`${accountA}/us-east-1`]: [cluster('team-a', 'us-east-1', accountA)],
      [`${accountB}/eu-west-1`]: [cluster('team-b', 'eu-west-1', accountB)],
    });
    w.failing.set(
      `${accountB}/eu-west-1`,
      `assuming arn:aws:iam::${accountB}:role/eks-access-sync: AccessDenied: not authorized to perform sts:AssumeRole`,
    );

    // Act
    const view = await w.fleet.clusters();

    // Assess
    expect(names(view).map((n) => n.split(' ')[0])).toEqual([
      'prod-east@us-east-1/-',
      `team-a@us-east-1/${accountA}`,
    ]);
    expect(view.unreachablePlaces).toEqual([
      {
        accountId: accountB,
        region: 'eu-west-1',
        reason: `account ${accountB} in eu-west-1: assuming arn:aws:iam::${accountB}:role/eks-access-sync: AccessDenied: not authorized to perform sts:AssumeRole`,
      },
    ]);
  });

  it('lists each place once per cache miss: a burst of calls shares one listing, a warm call within the TTL none', async () => {
    // Prepare
    const w = world({ [`${accountA}/us-east-1`]: [cluster('team-a', 'us-east-1', accountA)] });

    // Act
    const burst = await Promise.all([w.fleet.clusters(), w.fleet.clusters(), w.fleet.clusters()]);
    const afterBurst = w.listed.length;
    w.advance(59);
    await w.fleet.clusters();
    const warm = w.listed.length - afterBurst;
    w.advance(2);
    await w.fleet.clusters();
    const expired = w.listed.length - afterBurst - warm;

    // Assess
    expect(burst.map((v) => v.clusters.length)).toEqual([2, 2, 2]);
    expect(afterBurst).toBe(4);
    expect(warm).toBe(0);
    expect(expired).toBe(4);
  });

  it('does not remember a failed place as empty: the next call lists it again, and finds its cluster', async () => {
    // Prepare
    const w = world({ [`${accountB}/us-east-1`]: [cluster('team-b', 'us-east-1', accountB)] });
    w.failing.set(`${accountB}/us-east-1`, 'ThrottlingException: Rate exceeded');
    const first = await w.fleet.clusters();
    w.failing.clear();

    // Act
    const second = await w.fleet.clusters();

    // Assess
    expect(first.unreachablePlaces.map((p) => p.reason)).toEqual([
      `account ${accountB} in us-east-1: ThrottlingException: Rate exceeded`,
    ]);
    expect(names(second).map((n) => n.split(' ')[0])).toEqual([
      'prod-east@us-east-1/-',
      `team-b@us-east-1/${accountB}`,
    ]);
    expect(second.unreachablePlaces).toEqual([]);
    expect(w.listed.filter((k) => k === `${accountB}/us-east-1`)).toHaveLength(2);
    expect(w.listed.filter((k) => k === `${accountA}/us-east-1`)).toHaveLength(1);
  });

  it('never adds a namesake of a listed cluster, nor the listed cluster itself when a listing finds it', async () => {
    // Prepare
    const text = `
clusters: [{name: team-a, region: us-east-1, accountId: "${accountA}"}]
bootstrap:
  selectors: [{namePattern: team-*, accounts: ["${accountA}"], regions: [us-east-1, eu-west-1]}]
`;
    const w = world(
      {
        [`${accountA}/us-east-1`]: [cluster('team-a', 'us-east-1', accountA)],
        [`${accountA}/eu-west-1`]: [cluster('team-a', 'eu-west-1', accountA)],
      },
      text,
    );

    // Act
    const view = await w.fleet.clusters();

    // Assess
    expect(names(view)).toEqual([`team-a@us-east-1/${accountA} config`]);
  });
});
