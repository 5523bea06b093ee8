import { describe, expect, it } from 'vitest';
import { globMatches, matchCluster, withCluster } from '../../../src/domain/bootstrap/cluster-selector';
import { parseAccessConfig } from '../../../src/domain/config/config-file';

const config = parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    roleArn: arn:aws:iam::222233334444:role/eks-access-sync
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [admins]
  - iamGroup: prod-only
    kubernetesGroups: [x]
    clusters: [prod]
bootstrap:
  selectors:
    - namePattern: team-*
      tags: { eks-access-sync: managed, cost-center: '*' }
      accounts: ['555566667777']
      regions: [eu-west-1]
      roleArn: arn:aws:iam::{account}:role/eks-access-sync
      backend: accessEntries
    - namePattern: sandbox-??
`);

describe('matchCluster', () => {
  it('manages a listed cluster by name and region, in the account its role names', () => {
    expect(
      matchCluster(config, { name: 'prod', region: 'us-east-1', accountId: '222233334444' }),
    ).toMatchObject({
      managed: true,
      listed: true,
      cluster: { name: 'prod', backend: 'configMap' },
    });
  });

  it('does not take a namesake in another region or account for the listed cluster', () => {
    expect(matchCluster(config, { name: 'prod', region: 'eu-west-1' })).toMatchObject({
      managed: false,
      reason: expect.stringMatching(
        /the config's cluster is prod \(us-east-1, account 222233334444\); prod \(eu-west-1\) is another cluster/,
      ),
    });
    expect(
      matchCluster(config, { name: 'prod', region: 'us-east-1', accountId: '999999999999' }).managed,
    ).toBe(false);
  });

  it('makes the ClusterConfig of a selector-matched cluster from the selector, its role in the cluster account', () => {
    const match = matchCluster(config, {
      name: 'team-payments',
      region: 'eu-west-1',
      accountId: '555566667777',
      tags: { 'eks-access-sync': 'managed', 'cost-center': 'cc-42', other: 'x' },
    });

    expect(match).toEqual({
      managed: true,
      listed: false,
      by: 'bootstrap selector 0 (namePattern team-*)',
      cluster: {
        name: 'team-payments',
        region: 'eu-west-1',
        backend: 'accessEntries',
        accountId: '555566667777',
        roleArn: 'arn:aws:iam::555566667777:role/eks-access-sync',
        foundBy: 'bootstrap selector 0 (namePattern team-*)',
      },
    });
  });

  it.each([
    [
      'a tag missing',
      { name: 'team-a', region: 'eu-west-1', accountId: '555566667777', tags: { 'cost-center': 'x' } },
    ],
    [
      'a tag with another value',
      {
        name: 'team-a',
        region: 'eu-west-1',
        accountId: '555566667777',
        tags: { 'eks-access-sync': 'no', 'cost-center': 'x' },
      },
    ],
    [
      'another region',
      {
        name: 'team-a',
        region: 'us-east-1',
        accountId: '555566667777',
        tags: { 'eks-access-sync': 'managed', 'cost-center': 'x' },
      },
    ],
    [
      'another account',
      {
        name: 'team-a',
        region: 'eu-west-1',
        accountId: '111111111111',
        tags: { 'eks-access-sync': 'managed', 'cost-center': 'x' },
      },
    ],
    [
      'no account known',
      { name: 'team-a', region: 'eu-west-1', tags: { 'eks-access-sync': 'managed', 'cost-center': 'x' } },
    ],
    [
      'another name',
      {
        name: 'payments',
        region: 'eu-west-1',
        accountId: '555566667777',
        tags: { 'eks-access-sync': 'managed', 'cost-center': 'x' },
      },
    ],
  ])('does not manage a cluster with %s', (_case, seen) => {
    expect(matchCluster(config, seen).managed).toBe(false);
  });

  it('can decide how to reach a cluster before its tags are known', () => {
    const seen = { name: 'team-a', region: 'eu-west-1', accountId: '555566667777' };

    expect(matchCluster(config, seen).managed).toBe(false);
    expect(matchCluster(config, seen, { ignoreTags: true }).managed).toBe(true);
  });

  it('adds a selector-matched cluster to the config so that mappings without a cluster list apply to it', () => {
    const match = matchCluster(config, { name: 'sandbox-01', region: 'us-east-1' });
    if (!match.managed) throw new Error(match.reason);

    const next = withCluster(config, match.cluster);

    expect(next.clusters.map((c) => c.name)).toEqual(['prod', 'sandbox-01']);
    expect(withCluster(next, match.cluster)).toBe(next);
  });
});

describe('globMatches', () => {
  it.each([
    ['team-*', 'team-a', true],
    ['team-*', 'steam-a', false],
    ['*-prod', 'eu-prod', true],
    ['sandbox-??', 'sandbox-01', true],
    ['sandbox-??', 'sandbox-1', false],
    ['a.b', 'axb', false],
    ['a+b', 'a+b', true],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });
});
