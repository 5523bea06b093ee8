import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { eksClusterLister } from '../../src/adapters/eks-cluster-list';
import { syncRecordsOnEks } from '../../src/adapters/eks-cluster-tags';
import { eksClusters } from '../../src/adapters/eks-clusters';
import { discoveredFleet } from '../../src/app/fleet/discover-fleet';
import { fleetView } from '../../src/app/fleet/fleet-view';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { eksClient } from '../support/aws-clients';
import { sandbox } from '../support/sandbox';
import { syncFixture } from '../support/sync-fixture';

const managed = { 'eks-access-sync': 'managed' };

async function createCluster(name: string, tags: Record<string, string>) {
  await eksClient().send(
    new CreateClusterCommand({
      name,
      roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
      resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60001'] },
      tags,
    }),
  );
}

describe('syncAccess on the fleet (moto EKS for discovery, the real apiserver for aws-auth)', () => {
  it('a cluster created after deploy that a selector matches is synced by the next membership event; one that does not match is untouched', async () => {
    // Prepare: the listed cluster `one`, and clusters made with plain CreateCluster after "deploy".
    const env = sandbox();
    const f = await syncFixture({ groups: { admins: [], devs: [] } });
    const config = parseAccessConfig(
      f.configText({
        bootstrap: { selectors: [{ namePattern: `${f.id}-*`, tags: managed, regions: ['us-east-1'] }] },
      }),
    );
    const aws = {
      awsEndpoint: env.aws.endpoint,
      credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
    };
    const deps = f.deps({
      config,
      eks: eksClusters(aws),
      fleet: discoveredFleet({
        config,
        lister: eksClusterLister(aws),
        clock: { now: () => new Date() },
        homeRegion: 'us-east-1',
      }),
      records: syncRecordsOnEks(aws),
    });
    const [found, plain] = [`${f.id}-new`, `${f.id}-plain`];
    for (const name of [found, plain]) {
      await createCluster(name, name === found ? managed : {});
      await f.kube.createNamespace({ body: { metadata: { name: f.namespaceOf(name) } } });
    }
    await f.addToGroup('dan', 'devs');

    // Act
    const summary = await syncAccess(deps)({
      kind: 'membership',
      changes: [{ userName: f.user('dan'), group: f.group('devs') }],
      why: 'AddUserToGroup',
    });

    // Assess
    expect(summary.clusters.map((c) => [c.cluster, c.status, c.added])).toEqual([
      ['one', 'updated', [f.userArn('dan')]],
      [found, 'updated', [f.userArn('dan')]],
    ]);
    expect(summary.unreachablePlaces).toBeUndefined();
    const awsAuth = await f.readAwsAuth(found);
    expect(parseAwsAuth(awsAuth?.data ?? {}).entries.map((e) => e.arn)).toEqual([f.userArn('dan')]);
    expect(await f.readAwsAuth(plain)).toBeUndefined();

    // And the fleet view reads it back from the cluster's own EKS tags.
    const view = await fleetView(deps)('manual fleet');
    expect(view.fleet.find((e) => e.cluster === found)).toEqual({
      cluster: found,
      region: 'us-east-1',
      accountId: '123456789012',
      foundBy: `bootstrap selector 0 (namePattern ${f.id}-*)`,
      backend: 'auto',
      authenticationMode: 'CONFIG_MAP',
      clusterStatus: 'ACTIVE',
      lastSync: expect.objectContaining({
        status: 'updated',
        added: 1,
        removed: 0,
        changed: 0,
        note: 'AddUserToGroup',
      }),
    });
    expect(view.fleet.map((e) => e.cluster)).toEqual(['one', found]);
  });
});
