import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sandbox/moto';
import { seedEksCluster } from '../../scripts/sandbox/seed';
import { clusterAccess } from '../../src/adapters/cluster-access';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
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

  it("goes through DescribeCluster and an EKS token signed by the function's own role, as on EKS", async () => {
    // Prepare: the cluster `sandbox` in moto, which answers with the sandbox apiserver's endpoint and CA.
    const env = sandbox();
    await seedEksCluster(env);
    const access = clusterAccess({ awsEndpoint: env.aws.endpoint, credentials: env.aws.function });

    // Act
    const endpoint = await access.endpoint({ name: 'sandbox', region: env.aws.region, backend: 'configMap' });
    const store = await access.awsAuth({ name: 'sandbox', region: env.aws.region, backend: 'configMap' });
    const read = await store.read();

    // Assess: the real endpoint and CA, a token the real authenticator accepted (the function's role is
    // mapped as EKS maps a cluster's creator, outside aws-auth), and aws-auth read through it.
    expect(endpoint).toMatchObject({ server: env.kube.server, caData: env.kube.caData });
    expect(endpoint.token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(read.exists === true || read.exists === false).toBe(true);
  });

  it('is refused by the authenticator when the token is signed with a key moto never issued', async () => {
    const env = sandbox();
    await seedEksCluster(env);
    const access = clusterAccess({
      awsEndpoint: env.aws.endpoint,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-issued-by-moto' },
    });
    const f = await syncFixture({ groups: { admins: [], devs: [] } });
    const deps = {
      ...f.deps({ clusters: access }),
      config: {
        ...f.deps().config,
        clusters: [{ name: 'sandbox', region: env.aws.region, backend: 'configMap' as const }],
      },
    };

    const summary = await syncAccess(deps)(apply);

    expect(summary.clusters[0]).toMatchObject({
      cluster: 'sandbox',
      status: 'error',
      reason: expect.stringMatching(
        /cluster sandbox does not accept this function's identity \(401 Unauthorized\)/,
      ),
    });
  });

  it('reports an endpoint it cannot reach', async () => {
    const f = await syncFixture({ groups: { admins: [], devs: [] } });
    const env = sandbox();
    const closed = await freePort();
    const access = clusterAccess({
      staticEndpoint: { server: `https://127.0.0.1:${closed}`, caData: env.kube.caData, token: 'unused' },
    });

    const summary = await syncAccess(f.deps({ clusters: access }))(apply);

    expect(summary.clusters[0]).toMatchObject({
      status: 'error',
      reason: expect.stringContaining('cannot be reached'),
    });
  });
});
