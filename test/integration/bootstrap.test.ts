import { CreateClusterCommand } from '@aws-sdk/client-eks';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterAccess } from '../../src/adapters/cluster-access';
import { eksClusters } from '../../src/adapters/eks-clusters';
import { clusterObjects } from '../../src/adapters/kubernetes/cluster-objects';
import { kubeApis } from '../../src/adapters/kubernetes/kube-api';
import { secretsStore } from '../../src/adapters/secrets-store';
import { bootstrapCluster } from '../../src/app/bootstrap/bootstrap-cluster';
import type { BootstrapDeps, RecheckMessage } from '../../src/app/bootstrap/bootstrap-ports';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { secretTags } from '../../src/domain/rotation/rotation-ownership';
import { eksClient, secretsManagerClient } from '../support/aws-clients';
import { type FakeEks, fakeEks } from '../support/fake-eks';
import { adminToken, coreApi, found, rbacApi, statusOf, userToken } from '../support/kube-clients';
import { sandbox } from '../support/sandbox';
import { syncFixture } from '../support/sync-fixture';

const functionRole = 'arn:aws:iam::123456789012:role/eks-access-sync-test-lambdaRole';

let eks: FakeEks | undefined;
afterEach(() => {
  eks?.restore();
  eks = undefined;
});

/**
 * One test's world on the sandbox: its IAM groups, its own namespace for every cluster's aws-auth,
 * RBAC names of its own, a cluster created in moto's EKS (ACTIVE at once, no accessConfig, so
 * CONFIG_MAP), and the production adapters in between.
 */
async function bootstrapWorld(options: { token?: string; clusterRole?: string } = {}) {
  const env = sandbox();
  const f = await syncFixture({ groups: { admins: [], devs: ['dan'] } });
  const reader = `${f.id}-reader`;
  const apps = `${f.id}-apps`;
  const cluster = `${f.id}-new`;
  const bootstrap = {
    selectors: [{ namePattern: `${f.id}-*`, tags: { 'eks-access-sync': 'managed' } }],
    rbac: {
      clusterRoles: [
        { name: reader, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] },
      ],
      bindings: [
        { group: `${f.id}-readers`, clusterRole: options.clusterRole ?? reader },
        { group: 'developers', clusterRole: reader, namespaces: [apps] },
      ],
    },
  };
  const config = parseAccessConfig(f.configText({ bootstrap }));
  const aws = {
    awsEndpoint: env.aws.endpoint,
    credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
  };
  const clusters = clusterAccess({
    staticEndpoint: {
      server: env.kube.server,
      caData: env.kube.caData,
      token: options.token ?? env.kube.adminToken,
    },
    awsAuthNamespace: () => f.namespaceOf('one'),
  });
  const rechecks: { message: RecheckMessage; delaySeconds?: number; dead?: string }[] = [];
  const deps: BootstrapDeps = {
    config,
    eks: eksClusters(aws),
    clusters,
    kubernetes: (endpoint) => clusterObjects(kubeApis(endpoint)),
    recheck: {
      later: async (message, delaySeconds) => void rechecks.push({ message, delaySeconds }),
      deadLetter: async (message, reason) => void rechecks.push({ message, dead: reason }),
    },
    sync: f.deps({ config, clusters, eks: eksClusters(aws) }),
    secrets: secretsStore(secretsManagerClient()),
    functionPrincipal: async () => functionRole,
    clock: { now: () => new Date() },
    sleep: async () => {},
  };
  await eksClient().send(
    new CreateClusterCommand({
      name: cluster,
      roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
      resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60001'] },
      tags: { 'eks-access-sync': 'managed' },
    }),
  );
  const command = {
    kind: 'bootstrap',
    cluster: {
      name: cluster,
      region: 'us-east-1',
      accountId: '123456789012',
      tags: { 'eks-access-sync': 'managed' },
    },
    attempt: 1,
    firstSeenAt: new Date(),
    why: 'test',
  } as const;
  const admin = rbacApi(env.kube.adminToken);
  const version = async (read: () => Promise<{ metadata?: { resourceVersion?: string } }>) =>
    (await found(read()))?.metadata?.resourceVersion;
  return { f, deps, command, rechecks, reader, apps, cluster, admin, version, bootstrap };
}

describe('bootstrapCluster on the sandbox (real kube-apiserver, moto EKS, IAM and Secrets Manager)', () => {
  it('sets up a new cluster a selector matches: RBAC that grants what it says, the mappings; a repeat changes nothing', async () => {
    // Prepare
    const w = await bootstrapWorld();

    // Act
    const result = await bootstrapCluster(w.deps)(w.command);

    // Assess
    expect(result).toMatchObject({
      status: 'bootstrapped',
      managedBy: `bootstrap selector 0 (namePattern ${w.f.id}-*)`,
      clusterStatus: 'ACTIVE',
      authenticationMode: 'CONFIG_MAP',
      selfAccess: 'present',
      rbac: { conflicts: [] },
      mappings: {
        cluster: w.cluster,
        status: 'updated',
        added: expect.arrayContaining([w.f.userArn('dan')]),
      },
    });
    const rbac = rbacApi(adminToken());
    const role = await rbac.readClusterRole({ name: w.reader });
    expect(role.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'eks-access-sync' });
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const binding = await rbac.readNamespacedRoleBinding({
      name: `eks-access-sync:group:developers:${w.reader}`,
      namespace: w.apps,
    });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'developers' },
    ]);
    // alice is in the Kubernetes group developers: she may list pods in the namespace, not elsewhere.
    const alice = coreApi(userToken('alice'));
    expect(await statusOf(alice.listNamespacedPod({ namespace: w.apps }))).toBe(200);
    expect(await statusOf(alice.listNamespacedPod({ namespace: w.f.namespaceOf('one') }))).toBe(403);
    const arns = parseAwsAuth((await w.f.readAwsAuth())?.data ?? {}).entries.map((e) => e.arn);
    expect(arns).toContain(w.f.userArn('dan'));

    // Act: the same event again
    const core = coreApi(adminToken());
    const paths = [
      () => w.admin.readClusterRole({ name: w.reader }),
      () =>
        w.admin.readNamespacedRoleBinding({
          name: `eks-access-sync:group:developers:${w.reader}`,
          namespace: w.apps,
        }),
      () => core.readNamespacedConfigMap({ name: 'aws-auth', namespace: w.f.namespaceOf('one') }),
    ];
    const before = await Promise.all(paths.map(w.version));
    const again = await bootstrapCluster(w.deps)(w.command);

    // Assess
    expect(again).toMatchObject({ status: 'unchanged', rbac: { created: [], updated: [], unchanged: 4 } });
    expect(await Promise.all(paths.map(w.version))).toEqual(before);
    expect(w.rechecks).toEqual([]);
  });

  it('moves a binding to another role (the old one goes once the new one is there), and leaves what it did not make', async () => {
    // Prepare: someone else's ClusterRole with the reader's name; a first run binds readers to `view`
    const w = await bootstrapWorld({ clusterRole: 'view' });
    await w.admin.createClusterRole({
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: w.reader },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      },
    });
    await bootstrapCluster(w.deps)(w.command);
    const binding = (role: string) => `eks-access-sync:group:${w.f.id}-readers:${role}`;

    // Act: the config now binds readers to the reader role
    const bindings = w.bootstrap.rbac.bindings.map((b, i) => (i === 0 ? { ...b, clusterRole: w.reader } : b));
    const config = parseAccessConfig(
      w.f.configText({ bootstrap: { ...w.bootstrap, rbac: { ...w.bootstrap.rbac, bindings } } }),
    );
    const result = await bootstrapCluster({ ...w.deps, config })(w.command);

    // Assess
    expect(result.rbac).toMatchObject({
      created: [`ClusterRoleBinding ${binding(w.reader)}`],
      removed: [`ClusterRoleBinding ${binding('view')}`],
      conflicts: [
        `ClusterRole ${w.reader}: exists and was not made by eks-access-sync for this cluster; left alone`,
      ],
    });
    const rbac = rbacApi(adminToken());
    expect((await rbac.readClusterRole({ name: w.reader })).rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    ]);
    expect((await rbac.readClusterRoleBinding({ name: binding(w.reader) })).roleRef.name).toBe(w.reader);
    expect(await statusOf(rbac.readClusterRoleBinding({ name: binding('view') }))).toBe(404);
  });

  it('fails on a CONFIG_MAP cluster that does not let it in, with the command to run, and looks again later', async () => {
    // Prepare: the cluster answers as it would an unmapped role (bob may do nothing)
    const w = await bootstrapWorld({ token: userToken('bob') });

    // Act
    const result = await bootstrapCluster(w.deps)(w.command);

    // Assess
    expect(result).toMatchObject({
      status: 'failed',
      authenticationMode: 'CONFIG_MAP',
      recheck: { attempt: 2 },
    });
    expect(result.reason).toContain(`cluster ${w.cluster} (us-east-1) uses authenticationMode CONFIG_MAP`);
    expect(result.reason).toContain(
      `aws eks update-cluster-config --region us-east-1 --name ${w.cluster} --access-config authenticationMode=API_AND_CONFIG_MAP`,
    );
    expect(w.rechecks).toMatchObject([
      { message: { attempt: 2, cluster: { name: w.cluster } }, delaySeconds: 300 },
    ]);
    expect(await statusOf(rbacApi(adminToken()).readClusterRole({ name: w.reader }))).toBe(404);
  });

  it('on an access-entries cluster: grants itself an entry, maps through the EKS API, RBAC on the real apiserver', async () => {
    // Prepare: moto has no access-entry API; this cluster's EKS side is the in-process fake
    const w = await bootstrapWorld();
    eks = fakeEks({
      clusters: {
        [w.cluster]: { status: 'ACTIVE', authenticationMode: 'API', tags: { 'eks-access-sync': 'managed' } },
      },
    });
    eks.seed(
      w.cluster,
      { principalArn: 'arn:aws:iam::123456789012:role/PlatformAdmin' },
      {
        AmazonEKSClusterAdminPolicy: { type: 'cluster' },
      },
    );

    // Act
    const result = await bootstrapCluster(w.deps)(w.command);
    const writes = eks.calls.length;
    const again = await bootstrapCluster(w.deps)(w.command);

    // Assess
    expect(result).toMatchObject({
      status: 'bootstrapped',
      authenticationMode: 'API',
      selfAccess: 'granted',
      mappings: { status: 'updated', added: expect.arrayContaining([w.f.userArn('dan')]) },
    });
    expect(eks.calls.slice(0, 2)).toEqual([
      `CreateAccessEntry ${functionRole}`,
      `AssociateAccessPolicy ${functionRole} AmazonEKSClusterAdminPolicy`,
    ]);
    expect(eks.entries(w.cluster).find((e) => e.principalArn === w.f.userArn('dan'))).toMatchObject({
      kubernetesGroups: ['cluster-reader', 'developers'],
      tags: { 'eks-access-sync.io/managed': 'true' },
    });
    expect(eks.calls.some((c) => c.includes('PlatformAdmin'))).toBe(false);
    expect((await rbacApi(adminToken()).readClusterRole({ name: w.reader })).metadata?.name).toBe(w.reader);
    expect(await w.f.readAwsAuth()).toBeUndefined();
    expect(again).toMatchObject({ status: 'unchanged', selfAccess: 'present' });
    expect(eks.calls.length).toBe(writes);
  });

  it('after DeleteCluster, schedules the deletion of the secrets it stored for the cluster, once', async () => {
    // Prepare
    const w = await bootstrapWorld();
    const sm = secretsManagerClient();
    const create = (client: SecretsManagerClient, name: string, tags: Record<string, string>) =>
      client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: 'not a kubeconfig',
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    // A cluster found by a selector: its secrets are named and tagged by account, region and name.
    const identity = { name: w.cluster, region: 'us-east-1', accountId: '123456789012' };
    const partner = { name: 'partner', namespace: 'external-access' };
    const ours = `eks-access-sync/123456789012/us-east-1/${w.cluster}/partner`;
    const handMade = `eks-access-sync/${w.cluster}/hand-made`;
    const otherCluster = `eks-access-sync/${w.f.id}-other/partner`;
    const namesakeElsewhere = `eks-access-sync/123456789012/eu-west-1/${w.cluster}/partner`;
    await create(sm, ours, secretTags(partner, identity));
    await create(sm, handMade, {});
    await create(sm, otherCluster, secretTags(partner, { ...identity, name: `${w.f.id}-other` }));
    await create(sm, namesakeElsewhere, secretTags(partner, { ...identity, region: 'eu-west-1' }));
    const cleanup = { kind: 'cleanup', cluster: identity, why: 'test' } as const;

    // Act
    const result = await bootstrapCluster(w.deps)(cleanup);
    const again = await bootstrapCluster(w.deps)(cleanup);

    // Assess
    expect(result).toMatchObject({
      status: 'cleaned',
      secrets: { scheduledForDeletion: [ours], recoveryWindowDays: 30 },
    });
    const deleted = async (name: string) =>
      (await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate !== undefined;
    expect(await deleted(ours)).toBe(true);
    expect(await deleted(handMade)).toBe(false);
    expect(await deleted(otherCluster)).toBe(false);
    expect(await deleted(namesakeElsewhere)).toBe(false);
    // Its selector names tags, which a deleted cluster no longer shows: once its secrets are
    // scheduled, nothing says it was ours, and a repeated event changes nothing.
    expect(again).toMatchObject({ status: 'ignored' });
    expect(again.secrets).toBeUndefined();
  });
});
