import { DescribeClusterCommand, ListAccessEntriesCommand, ThrottlingException } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { eksClusters } from '../../../src/adapters/eks-clusters';
import type { IamDirectory } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { type FakeEks, fakeEks } from '../../support/fake-eks';
import { memoryClusters } from '../../support/memory-clusters';

const account = '111122223333';
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const ssoRole = `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123`;
const managed = { 'eks-access-sync.io/managed': 'true' };
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const plan = { ...apply, apply: false } as const;

function config(backend: string) {
  return parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    backend: ${backend}
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [system:masters]
    allowSystemMasters: true
  - iamGroup: eks-developers
    kubernetesGroups: [developers]
    accessPolicies: [{ policy: AmazonEKSEditPolicy, scope: { namespaces: [dev] } }]
roles:
  - roleArn: ${ssoRole}
    username: "sso-dev:{{SessionName}}"
    kubernetesGroups: [developers]
`);
}

function iam(groups: Record<string, string[]>): IamDirectory {
  return {
    async groupMembers(group) {
      return (groups[group] ?? []).map((u) => ({ userName: u, arn: userArn(u) }));
    },
    async userGroups() {
      return undefined;
    },
  };
}

let eks: FakeEks | undefined;
afterEach(() => eks?.restore());

function world(backend: string, mode?: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API') {
  eks = fakeEks({ clusters: { prod: { status: 'ACTIVE', ...(mode ? { authenticationMode: mode } : {}) } } });
  const clusters = memoryClusters(eks.calls);
  const deps = (groups: Record<string, string[]>) => ({
    config: config(backend),
    iam: iam(groups),
    clusters: clusters.access,
    eks: eksClusters({ credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
    sleep: async () => {},
  });
  return { eks, clusters, deps };
}

describe('the access-entries backend', () => {
  it('auto on an API_AND_CONFIG_MAP cluster: creates tagged entries, reads every page, leaves the others alone', async () => {
    // Prepare
    const w = world('auto', 'API_AND_CONFIG_MAP');
    w.eks.seed('prod', {
      principalArn: `arn:aws:iam::${account}:role/eks-node-group-role`,
      type: 'EC2_LINUX',
    });
    w.eks.seed(
      'prod',
      { principalArn: `arn:aws:iam::${account}:role/PlatformAdmin` },
      { AmazonEKSClusterAdminPolicy: { type: 'cluster' } },
    );
    w.eks.seed('prod', { principalArn: `arn:aws:iam::${account}:role/eks-fargate`, type: 'FARGATE_LINUX' });

    // Act
    const summary = await syncAccess(w.deps({ 'eks-admins': ['ann'], 'eks-developers': ['dan'] }))(apply);

    // Assess
    expect(summary.clusters[0]).toMatchObject({
      status: 'updated',
      added: [ssoRole, userArn('ann'), userArn('dan')],
      removed: [],
    });
    expect(w.eks.mock.commandCalls(ListAccessEntriesCommand).length).toBeGreaterThan(1);
    const entries = w.eks.entries('prod');
    expect(entries.find((e) => e.principalArn === ssoRole)).toMatchObject({
      username: 'sso-dev:{{SessionName}}',
      kubernetesGroups: ['developers'],
      tags: managed,
    });
    expect(entries.find((e) => e.principalArn === userArn('ann'))).toMatchObject({
      kubernetesGroups: [],
      policies: { AmazonEKSClusterAdminPolicy: { type: 'cluster' } },
    });
    expect(entries.find((e) => e.principalArn === userArn('dan'))?.policies).toEqual({
      AmazonEKSEditPolicy: { type: 'namespace', namespaces: ['dev'] },
    });
    expect(w.eks.calls.filter((c) => /PlatformAdmin|node-group|fargate/.test(c))).toEqual([]);
    expect(w.clusters.awsAuth('prod')).toBeUndefined();
  });

  it('deletes the entry of a user who leaves, and a repeated run changes nothing', async () => {
    // Prepare
    const w = world('accessEntries', 'API');
    await syncAccess(w.deps({ 'eks-developers': ['dan', 'dora'] }))(apply);
    w.eks.calls.length = 0;

    // Act
    const left = await syncAccess(w.deps({ 'eks-developers': ['dora'] }))(apply);
    const writes = w.eks.calls.length;
    const again = await syncAccess(w.deps({ 'eks-developers': ['dora'] }))(apply);

    // Assess
    expect(left.clusters[0]).toMatchObject({ status: 'updated', removed: [userArn('dan')], added: [] });
    expect(w.eks.calls).toEqual([`DeleteAccessEntry ${userArn('dan')}`]);
    expect(again.clusters[0]).toMatchObject({ status: 'unchanged', unchanged: 2 });
    expect(w.eks.calls.length).toBe(writes);
  });

  it('plans without writing', async () => {
    const w = world('accessEntries', 'API');

    const summary = await syncAccess(w.deps({ 'eks-developers': ['dan'] }))(plan);

    expect(summary.clusters[0]?.status).toBe('planned');
    expect(summary.clusters[0]?.diff).toContain(
      `+ accessEntry ${userArn('dan')} username="dan" groups=[developers] policies=[AmazonEKSEditPolicy(dev)]`,
    );
    expect(w.eks.calls).toEqual([]);
  });

  it('auto on a CONFIG_MAP cluster syncs aws-auth and makes no access entry', async () => {
    const w = world('auto');

    const summary = await syncAccess(w.deps({ 'eks-developers': ['dan'] }))(apply);

    expect(summary.clusters[0]?.status).toBe('updated');
    expect(w.eks.calls).toEqual(['aws-auth write prod']);
    const arns = parseAwsAuth(w.clusters.awsAuth('prod')?.data ?? {}).entries.map((e) => e.arn);
    expect(arns).toContain(`arn:aws:iam::${account}:role/AWSReservedSSO_Dev_0123`);
  });

  it('configMap clusters are synced as before, without asking EKS', async () => {
    const w = world('configMap');

    await syncAccess(w.deps({ 'eks-developers': ['dan'] }))(apply);

    expect(w.eks.mock.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    expect(w.eks.calls).toEqual(['aws-auth write prod']);
  });

  it('refuses accessEntries on a CONFIG_MAP cluster with the command that enables them', async () => {
    const w = world('accessEntries', 'CONFIG_MAP');

    const summary = await syncAccess(w.deps({ 'eks-developers': ['dan'] }))(apply);

    expect(summary.clusters[0]).toMatchObject({ status: 'error' });
    expect(summary.clusters[0]?.reason).toContain(
      'aws eks update-cluster-config --region us-east-1 --name prod --access-config authenticationMode=API_AND_CONFIG_MAP',
    );
    expect(w.eks.calls).toEqual([]);
  });

  it('converges when its entry appeared meanwhile (ResourceInUseException), and leaves one someone else made', async () => {
    // Prepare: the list misses both; by the create, a concurrent run made dan's, a person made dora's.
    const w = world('accessEntries', 'API');
    w.eks.mock.on(ListAccessEntriesCommand).callsFakeOnce(() => {
      w.eks.seed('prod', { principalArn: userArn('dan'), tags: managed, kubernetesGroups: ['stale'] });
      w.eks.seed('prod', { principalArn: userArn('dora'), kubernetesGroups: ['hand-made'] });
      return { accessEntries: [] };
    });

    // Act
    const summary = await syncAccess(w.deps({ 'eks-developers': ['dan', 'dora'] }))(apply);

    // Assess
    expect(summary.clusters[0]?.status).toBe('updated');
    const entries = w.eks.entries('prod');
    expect(entries.find((e) => e.principalArn === userArn('dan'))?.kubernetesGroups).toEqual(['developers']);
    expect(entries.find((e) => e.principalArn === userArn('dora'))).toMatchObject({
      kubernetesGroups: ['hand-made'],
      tags: {},
    });
  });

  it('fails closed when EKS keeps throttling the listing: nothing is changed, the reason is said', async () => {
    const w = world('accessEntries', 'API');
    w.eks.mock
      .on(ListAccessEntriesCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    const summary = await syncAccess(w.deps({ 'eks-developers': ['dan'] }))(apply);

    expect(summary.clusters[0]?.status).toBe('error');
    expect(summary.clusters[0]?.reason).toMatch(
      /listing access entries of cluster prod: ThrottlingException: Rate exceeded/,
    );
    expect(w.eks.calls).toEqual([]);
  });

  it('creates and updates before it deletes: a failure part-way deletes nothing', async () => {
    // Prepare: dan will leave, ann and dora join; creating dora's entry fails.
    const w = world('accessEntries', 'API');
    await syncAccess(w.deps({ 'eks-developers': ['dan'] }))(apply);
    w.eks.calls.length = 0;
    const { CreateAccessEntryCommand } = await import('@aws-sdk/client-eks');
    w.eks.mock
      .on(CreateAccessEntryCommand, { principalArn: userArn('dora') })
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    // Act
    const summary = await syncAccess(w.deps({ 'eks-admins': ['ann'], 'eks-developers': ['dora'] }))(apply);

    // Assess
    expect(summary.clusters[0]?.status).toBe('error');
    expect(summary.clusters[0]?.reason).toMatch(
      /1 of 3 changes applied, then create .*dora failed: .*ThrottlingException/,
    );
    expect(w.eks.calls.some((c) => c.startsWith('DeleteAccessEntry'))).toBe(false);
    expect(w.eks.entries('prod').map((e) => e.principalArn)).toContain(userArn('dan'));
  });
});
