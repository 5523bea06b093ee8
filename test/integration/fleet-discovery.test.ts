import { Readable } from 'node:stream';
import { CreateClusterCommand, DeleteClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { describe, expect, it } from 'vitest';
import { eksClusterLister } from '../../src/adapters/eks-cluster-list';
import { discoveredFleet } from '../../src/app/fleet/discover-fleet';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { placeKey } from '../../src/domain/fleet/fleet-places';
import { assumeRole, homeAccount, otherAccount, otherAccountRole } from '../e2e/support/identities';
import { eksClient, iamClient } from '../support/aws-clients';
import { sandbox, uniqueName } from '../support/sandbox';

/** EKS answering 429 ThrottlingException, as a busy account does: the fault injected into one place. */
const throttled = {
  handle: async () => ({
    response: new HttpResponse({
      statusCode: 429,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
      body: Readable.from([JSON.stringify({ message: 'Rate exceeded' })]),
    }),
  }),
};

async function createCluster(eks: EKSClient, name: string, tags: Record<string, string>) {
  await eks.send(
    new CreateClusterCommand({
      name,
      roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
      resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60001'] },
      tags,
    }),
  );
}

/**
 * Two accounts (moto keeps them apart: a session of a role in the other account works there), two
 * regions, clusters made with plain CreateCluster, and the production lister in between.
 */
async function fleetWorld() {
  const env = sandbox();
  const id = uniqueName('fleet');
  const managed = { 'eks-access-sync': 'managed' };
  const lister = `${id}-lister`;
  await iamClient().send(
    new CreateRoleCommand({
      RoleName: lister,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await otherAccountRole(lister);
  const other = await assumeRole(`arn:aws:iam::${otherAccount}:role/${lister}`, 'setup');
  const eksIn = (region: string, credentials?: typeof other) =>
    new EKSClient({
      endpoint: env.aws.endpoint,
      region,
      credentials: credentials ?? {
        accessKeyId: env.aws.accessKeyId,
        secretAccessKey: env.aws.secretAccessKey,
      },
    });
  await createCluster(eksClient(), `${id}-a`, managed);
  await createCluster(eksClient(), `${id}-untagged`, {});
  await createCluster(eksIn('eu-west-1'), `${id}-b`, managed);
  await createCluster(eksIn('eu-west-1', other), `${id}-a`, managed);
  await createCluster(eksIn('us-east-1', other), `${id}-c`, managed);
  const config = parseAccessConfig(`
clusters: [{name: listed-${id}, region: us-east-1}]
bootstrap:
  selectors:
    - namePattern: ${id}-*
      tags: {eks-access-sync: managed}
      accounts: ["${homeAccount}", "${otherAccount}"]
      regions: [us-east-1, eu-west-1]
      roleArn: arn:aws:iam::{account}:role/${lister}
`);
  const clock = { time: new Date(), now: () => new Date(clock.time) };
  const requests: string[] = [];
  const real = new NodeHttpHandler();
  // Counts what reaches moto's EKS (ListClusters is GET /clusters, DescribeCluster GET /clusters/<name>).
  const counting = {
    handle: (request: HttpRequest, options?: Parameters<NodeHttpHandler['handle']>[1]) => {
      requests.push(
        `${request.method} ${request.path.split('/').length > 2 ? 'DescribeCluster' : 'ListClusters'}`,
      );
      return real.handle(request, options);
    },
  };
  const fleet = (faultAt?: string) =>
    discoveredFleet({
      config,
      clock,
      homeRegion: 'us-east-1',
      lister: eksClusterLister({
        awsEndpoint: env.aws.endpoint,
        credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
        maxAttempts: 2,
        placeClientConfig: (place) => ({
          requestHandler: placeKey(place) === faultAt ? throttled : counting,
        }),
      }),
    });
  const advance = (seconds: number) => (clock.time = new Date(clock.time.getTime() + seconds * 1000));
  return { id, fleet, eksIn, advance, other, requests };
}

const shown = (
  members: { cluster: { name: string; region: string; accountId?: string }; foundBy: string }[],
) => members.map((m) => `${m.cluster.name} ${m.cluster.region} ${m.cluster.accountId ?? '-'} ${m.foundBy}`);

describe('fleet discovery on moto (two accounts, two regions)', () => {
  it('finds the tagged clusters in every account and region through their roles; the untagged one is left out', async () => {
    // Prepare
    const w = await fleetWorld();

    // Act
    const view = await w.fleet().clusters();

    // Assess
    const by = `bootstrap selector 0 (namePattern ${w.id}-*)`;
    expect(shown(view.clusters)).toEqual([
      `listed-${w.id} us-east-1 - config`,
      `${w.id}-b eu-west-1 ${homeAccount} ${by}`,
      `${w.id}-a eu-west-1 ${otherAccount} ${by}`,
      `${w.id}-a us-east-1 ${homeAccount} ${by}`,
      `${w.id}-c us-east-1 ${otherAccount} ${by}`,
    ]);
    expect(view.clusters[2]?.cluster.roleArn).toBe(`arn:aws:iam::${otherAccount}:role/${w.id}-lister`);
    expect(view.unreachablePlaces).toEqual([]);
  });

  it('costs one ListClusters per account and region and one DescribeCluster per name a selector may match; a warm call none', async () => {
    // Prepare
    const w = await fleetWorld();
    const fleet = w.fleet();

    // Act
    await fleet.clusters();
    const cold = [...w.requests];
    w.advance(30);
    await Promise.all([fleet.clusters(), fleet.clusters()]);
    const warm = w.requests.length - cold.length;

    // Assess: 4 places; team-a, team-untagged (home, us-east-1), team-b, team-a (other), team-c described.
    expect(cold.filter((r) => r.endsWith('ListClusters'))).toHaveLength(4);
    expect(cold.filter((r) => r.endsWith('DescribeCluster'))).toHaveLength(5);
    expect(warm).toBe(0);
  });

  it('reports a throttled account and region by name and still has every cluster found elsewhere', async () => {
    // Prepare
    const w = await fleetWorld();

    // Act
    const view = await w.fleet(`${otherAccount}/us-east-1`).clusters();

    // Assess
    expect(shown(view.clusters).map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      `listed-${w.id} us-east-1 -`,
      `${w.id}-b eu-west-1 ${homeAccount}`,
      `${w.id}-a eu-west-1 ${otherAccount}`,
      `${w.id}-a us-east-1 ${homeAccount}`,
    ]);
    expect(view.unreachablePlaces).toEqual([
      {
        accountId: otherAccount,
        region: 'us-east-1',
        reason: expect.stringMatching(
          new RegExp(
            `^account ${otherAccount} in us-east-1: listing the clusters of account ${otherAccount} in us-east-1: ThrottlingException: Rate exceeded$`,
          ),
        ),
      },
    ]);
  });

  it('a deleted cluster leaves the fleet once its place is listed again; the others stay', async () => {
    // Prepare
    const w = await fleetWorld();
    const fleet = w.fleet();
    await fleet.clusters();
    await w.eksIn('eu-west-1').send(new DeleteClusterCommand({ name: `${w.id}-b` }));

    // Act
    const cached = await fleet.clusters();
    w.advance(61);
    const relisted = await fleet.clusters();

    // Assess
    expect(cached.clusters.map((m) => m.cluster.name)).toContain(`${w.id}-b`);
    expect(shown(relisted.clusters).map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      `listed-${w.id} us-east-1 -`,
      `${w.id}-a eu-west-1 ${otherAccount}`,
      `${w.id}-a us-east-1 ${homeAccount}`,
      `${w.id}-c us-east-1 ${otherAccount}`,
    ]);
  });
});
