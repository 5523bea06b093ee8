import { ListAccessEntriesCommand, ThrottlingException } from '@aws-sdk/client-eks';
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
const nodeRole = `arn:aws:iam::${account}:role/eks-node-group-role`;
const nodeRoles = `- rolearn: ${nodeRole}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
`;
const managed = { 'eks-access-sync.io/managed': 'true' };
const admin = { AmazonEKSClusterAdminPolicy: { type: 'cluster' as const } };
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;

const config = (backend: string, adopt = false) =>
  parseAccessConfig(`
settings: {adoptUnownedEntries: ${adopt}}
clusters: [{name: prod, region: us-east-1, backend: ${backend}}]
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [system:masters]
    allowSystemMasters: true
  - iamGroup: eks-developers
    kubernetesGroups: [developers]
`);

const iam = (groups: Record<string, string[]>): IamDirectory => ({
  groupMembers: async (group) => (groups[group] ?? []).map((u) => ({ userName: u, arn: userArn(u) })),
  userGroups: async () => undefined,
});

let eks: FakeEks | undefined;
afterEach(() => eks?.restore());

/** prod, in API_AND_CONFIG_MAP now; with `synced`, its aws-auth holds what a configMap sync wrote for dan, dora, dave. */
async function world(options: { synced?: boolean; mode?: 'API_AND_CONFIG_MAP' | 'API' } = {}) {
  eks = fakeEks({
    clusters: { prod: { status: 'ACTIVE', authenticationMode: options.mode ?? 'API_AND_CONFIG_MAP' } },
  });
  const clusters = memoryClusters(eks.calls, { prod: { mapRoles: nodeRoles } });
  const deps = (backend: string, groups: Record<string, string[]>, adopt = false) => ({
    config: config(backend, adopt),
    iam: iam(groups),
    clusters: clusters.access,
    eks: eksClusters({ credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
    sleep: async () => {},
  });
  if (options.synced)
    await syncAccess(deps('configMap', { 'eks-developers': ['dan', 'dora', 'dave'] }))(apply);
  const f = eks;
  f.calls.length = 0;
  const awsAuthArns = () => parseAwsAuth(clusters.awsAuth('prod')?.data ?? {}).entries.map((e) => e.arn);
  const entry = (arn: string) => f.entries('prod').find((e) => e.principalArn === arn);
  return { eks: f, deps, awsAuthArns, entry };
}

describe('accessEntries and auto on a cluster that still reads aws-auth (API_AND_CONFIG_MAP)', () => {
  for (const backend of ['auto', 'accessEntries']) {
    it(`${backend}: removes its own aws-auth entries once their access entries exist, keeps the node role`, async () => {
      const w = await world({ synced: true });

      const summary = await syncAccess(w.deps(backend, { 'eks-developers': ['dan', 'dora', 'dave'] }))(apply);

      expect(summary.clusters[0]?.status).toBe('updated');
      expect(w.awsAuthArns()).toEqual([nodeRole]);
      const write = w.eks.calls.indexOf('aws-auth write prod');
      expect(w.eks.calls.slice(0, write).filter((c) => c.startsWith('CreateAccessEntry'))).toHaveLength(3);
    });
  }

  it('removes the aws-auth entry of a user who left IAM even when that user has no access entry of ours', async () => {
    // dave's access entry was made by hand, so his aws-auth entry is not covered and stays while wanted.
    const w = await world({ synced: true });
    w.eks.seed('prod', { principalArn: userArn('dave'), kubernetesGroups: ['hand-made'] });
    await syncAccess(w.deps('auto', { 'eks-developers': ['dan', 'dora', 'dave'] }))(apply);
    expect(w.awsAuthArns()).toEqual([nodeRole, userArn('dave')]);

    const summary = await syncAccess(w.deps('auto', { 'eks-developers': ['dan', 'dora'] }))(apply);

    expect(summary.clusters[0]?.removed).toEqual([userArn('dave')]);
    expect(w.awsAuthArns()).toEqual([nodeRole]);
  });

  it('removes the aws-auth entry of a user who left IAM when EKS fails, and keeps everyone still wanted', async () => {
    const w = await world({ synced: true });
    w.eks.mock
      .on(ListAccessEntriesCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    const summary = await syncAccess(w.deps('accessEntries', { 'eks-developers': ['dan', 'dora'] }))(apply);

    expect(summary.clusters[0]).toMatchObject({ status: 'error', removed: [userArn('dave')] });
    expect(summary.clusters[0]?.reason).toMatch(/Rate exceeded.*aws-auth keeps every entry still wanted/);
    expect(w.awsAuthArns()).toEqual([nodeRole, userArn('dan'), userArn('dora')]);
  });

  it('never adds to aws-auth: a principal whose access entry someone else made is not mapped there', async () => {
    const w = await world();
    w.eks.seed('prod', { principalArn: userArn('erin'), kubernetesGroups: ['hand-made'] });

    await syncAccess(w.deps('accessEntries', { 'eks-developers': ['erin'] }))(apply);

    expect(w.awsAuthArns()).toEqual([nodeRole]);
    expect(w.eks.calls).not.toContain('aws-auth write prod');
  });
});

describe('access entries this tool never touches', () => {
  it('leaves a node or Fargate entry that carries its tag, whatever the config says', async () => {
    const w = await world({ mode: 'API' });
    w.eks.seed('prod', { principalArn: nodeRole, type: 'EC2_LINUX', tags: managed });
    w.eks.seed('prod', { principalArn: userArn('fargate'), type: 'FARGATE_LINUX', tags: managed });

    const summary = await syncAccess(w.deps('accessEntries', {}))(apply);

    expect(w.eks.calls).toEqual([]);
    expect(w.entry(nodeRole)).toBeDefined();
    expect(w.entry(userArn('fargate'))).toBeDefined();
    expect(summary.clusters[0]?.removed).toEqual([]);
  });

  it("never adopts the creator's cluster-admin entry, even with adoptUnownedEntries", async () => {
    const w = await world({ mode: 'API' });
    w.eks.seed('prod', { principalArn: userArn('dan'), username: 'creator' }, admin);

    const summary = await syncAccess(w.deps('accessEntries', { 'eks-developers': ['dan'] }, true))(apply);

    expect(w.entry(userArn('dan'))).toMatchObject({ username: 'creator', tags: {}, policies: admin });
    expect(w.eks.calls).toEqual([]);
    expect(summary.clusters[0]?.conflicts).toEqual([
      expect.stringMatching(/dan: .*cluster-admin \(AmazonEKSClusterAdminPolicy\(cluster\)\).*never adopted/),
    ]);
  });

  it('never changes or deletes its own entry with a cluster-admin the config did not grant', async () => {
    const w = await world({ mode: 'API' });
    await syncAccess(w.deps('accessEntries', { 'eks-developers': ['dan'] }))(apply);
    // Someone makes dan admin by hand (break-glass).
    w.eks.seed(
      'prod',
      { principalArn: userArn('dan'), username: 'dan', kubernetesGroups: ['developers'], tags: managed },
      admin,
    );
    w.eks.calls.length = 0;

    const stays = await syncAccess(w.deps('accessEntries', { 'eks-developers': ['dan'] }))(apply);
    const left = await syncAccess(w.deps('accessEntries', {}))(apply);

    expect(w.eks.calls).toEqual([]);
    expect(w.entry(userArn('dan'))?.policies).toEqual(admin);
    for (const summary of [stays, left])
      expect(summary.clusters[0]?.conflicts).toEqual([
        expect.stringMatching(/cluster-admin .* that the config did not grant: never changed or deleted/),
      ]);
  });

  it('takes away a cluster-admin it granted once the config stops granting it, and deletes the entry', async () => {
    const w = await world({ mode: 'API' });
    await syncAccess(w.deps('accessEntries', { 'eks-admins': ['ann'], 'eks-developers': ['ann'] }))(apply);
    expect(w.entry(userArn('ann'))).toMatchObject({
      policies: admin,
      tags: { ...managed, 'eks-access-sync.io/cluster-admin': 'granted' },
    });

    await syncAccess(w.deps('accessEntries', { 'eks-developers': ['ann'] }))(apply);
    expect(w.entry(userArn('ann'))).toMatchObject({
      policies: {},
      tags: { 'eks-access-sync.io/cluster-admin': 'revoked' },
    });
    await syncAccess(w.deps('accessEntries', { 'eks-admins': ['ann'] }))(apply);
    const gone = await syncAccess(w.deps('accessEntries', {}))(apply);

    expect(gone.clusters[0]?.removed).toEqual([userArn('ann')]);
    expect(w.entry(userArn('ann'))).toBeUndefined();
  });
});
