import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { clusterAccess } from '../../src/adapters/cluster-access';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { eksClient } from '../support/aws-clients';
import { sandbox } from '../support/sandbox';
import { nodeRoles, syncFixture } from '../support/sync-fixture';

const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;

describe('reaching clusters', () => {
  it('reports a cluster it cannot reach by name and still syncs the others', async () => {
    const f = await syncFixture({ clusters: ['good', 'gone'], groups: { admins: ['ann'], devs: [] } });
    const base = f.deps();
    const deps = {
      ...base,
      clusters: {
        ...base.clusters,
        awsAuth: (cluster: Parameters<typeof base.clusters.awsAuth>[0]) =>
          cluster.name === 'gone'
            ? Promise.reject(
                new Error(
                  'describing cluster gone in us-east-1: ResourceNotFoundException: No cluster found',
                ),
              )
            : base.clusters.awsAuth(cluster),
      },
    };

    const summary = await syncAccess(deps)(apply);

    const byName = Object.fromEntries(summary.clusters.map((c) => [c.cluster, c]));
    expect(byName.good?.status).toBe('updated');
    expect(byName.gone).toMatchObject({ status: 'error', reason: expect.stringContaining('cluster gone') });
    expect(parseAwsAuth((await f.readAwsAuth('good'))?.data ?? {}).entries.map((e) => e.arn)).toContain(
      f.userArn('ann'),
    );
  });

  it('says how to grant access when the cluster does not know the function (401)', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    const env = sandbox();
    const deps = f.deps({
      clusters: clusterAccess({
        staticEndpoint: {
          server: env.kube.server,
          caData: env.kube.caData,
          token: 'not-a-token-the-cluster-knows',
        },
        awsAuthNamespace: (c) => f.namespaceOf(c.name),
      }),
    });

    const summary = await syncAccess(deps)(apply);

    expect(summary.clusters[0]?.status).toBe('error');
    expect(summary.clusters[0]?.reason).toMatch(
      /cluster one does not accept this function's identity \(401 Unauthorized\)/,
    );
    expect(summary.clusters[0]?.reason).toContain('aws eks create-access-entry --cluster-name one');
    expect(summary.clusters[0]?.reason).not.toContain('not-a-token-the-cluster-knows');
  });

  it('says which permission is missing when RBAC refuses (403) and writes nothing', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    const before = await f.readAwsAuth();
    const env = sandbox();
    const bob = env.kube.userTokens.bob as string;
    const deps = f.deps({
      clusters: clusterAccess({
        staticEndpoint: { server: env.kube.server, caData: env.kube.caData, token: bob },
        awsAuthNamespace: (c) => f.namespaceOf(c.name),
      }),
    });

    const summary = await syncAccess(deps)(apply);

    expect(summary.clusters[0]?.reason).toMatch(/403 Forbidden.*configmaps in kube-system/);
    expect((await f.readAwsAuth())?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('goes through DescribeCluster and an EKS token, and reports an endpoint it cannot reach', async () => {
    const env = sandbox();
    const name = `reach-${Date.now().toString(36)}`;
    await eksClient().send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
        resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      }),
    );
    const access = clusterAccess({
      awsEndpoint: env.aws.endpoint,
      credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
    });

    const endpoint = await access.endpoint({ name, region: env.aws.region, backend: 'configMap' });
    expect(endpoint.token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(endpoint.caData.length).toBeGreaterThan(0);

    const f = await syncFixture({ groups: { admins: [], devs: [] } });
    const deps = {
      ...f.deps({ clusters: access }),
      config: {
        ...f.deps().config,
        clusters: [{ name, region: env.aws.region, backend: 'configMap' as const }],
      },
    };
    const summary = await syncAccess(deps)(apply);
    expect(summary.clusters[0]).toMatchObject({
      cluster: name,
      status: 'error',
      reason: expect.stringContaining(`cluster ${name} cannot be reached`),
    });
  });
});
