import { CreateAccessEntryCommand, ThrottlingException } from '@aws-sdk/client-eks';
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
const nodeRoles = `- rolearn: arn:aws:iam::${account}:role/eks-node-group-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
`;
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const members: Record<string, string[]> = { 'eks-developers': ['dan', 'dora', 'dave'] };

const config = (backend: string) =>
  parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    backend: ${backend}
groups:
  - iamGroup: eks-developers
    kubernetesGroups: [developers]
roles:
  - roleArn: ${ssoRole}
    username: "sso-dev:{{SessionName}}"
    kubernetesGroups: [developers]
`);

const iam: IamDirectory = {
  groupMembers: async (group) => (members[group] ?? []).map((u) => ({ userName: u, arn: userArn(u) })),
  userGroups: async () => undefined,
};

let eks: FakeEks | undefined;
afterEach(() => eks?.restore());

/** A cluster whose aws-auth the tool has synced, now in API_AND_CONFIG_MAP mode and set to migrate. */
async function migrating() {
  eks = fakeEks({ clusters: { prod: { status: 'ACTIVE', authenticationMode: 'API_AND_CONFIG_MAP' } } });
  const clusters = memoryClusters(eks.calls, { prod: { mapRoles: nodeRoles } });
  const deps = (backend: string) => ({
    config: config(backend),
    iam,
    clusters: clusters.access,
    eks: eksClusters({ credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
    sleep: async () => {},
  });
  await syncAccess(deps('configMap'))(apply);
  eks.calls.length = 0;
  const arns = () => parseAwsAuth(clusters.awsAuth('prod')?.data ?? {}).entries.map((e) => e.arn);
  return { eks, clusters, deps, arns };
}

describe('migrating a cluster from aws-auth to access entries (backend: migrate)', () => {
  it('plans both sides and writes nothing', async () => {
    const m = await migrating();

    const summary = await syncAccess(m.deps('migrate'))({ ...apply, apply: false });

    expect(summary.clusters[0]?.status).toBe('planned');
    expect(summary.clusters[0]?.diff).toEqual(
      expect.arrayContaining([
        `+ accessEntry ${ssoRole} username="sso-dev:{{SessionName}}" groups=[developers]`,
        `+ accessEntry ${userArn('dan')} username="dan" groups=[developers]`,
        `- mapUsers ${userArn('dan')} username="dan" groups=[developers]`,
        `- mapRoles arn:aws:iam::${account}:role/AWSReservedSSO_Dev_0123 username="sso-dev:{{SessionName}}" groups=[developers]`,
      ]),
    );
    expect(m.eks.calls).toEqual([]);
  });

  it('creates every access entry before it removes its own aws-auth entries, and keeps the node roles', async () => {
    const m = await migrating();

    const summary = await syncAccess(m.deps('migrate'))(apply);

    expect(summary.clusters[0]?.status).toBe('updated');
    const write = m.eks.calls.indexOf('aws-auth write prod');
    expect(write).toBe(m.eks.calls.length - 1);
    expect(m.eks.calls.slice(0, write).filter((c) => c.startsWith('CreateAccessEntry'))).toHaveLength(4);
    expect(m.arns()).toEqual([`arn:aws:iam::${account}:role/eks-node-group-role`]);
    // Removing every entry it owned is no mass removal here: each principal keeps access by its entry.
    expect(summary.clusters[0]?.withheld).toEqual([]);
  });

  it('leaves aws-auth untouched when an access entry cannot be created and everyone is still wanted', async () => {
    const m = await migrating();
    const before = m.clusters.awsAuth('prod');
    m.eks.mock
      .on(CreateAccessEntryCommand, { principalArn: userArn('dora') })
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    const summary = await syncAccess(m.deps('migrate'))(apply);

    expect(summary.clusters[0]?.status).toBe('error');
    expect(summary.clusters[0]?.reason).toMatch(
      /aws-auth keeps every entry still wanted until the access entries are in place/,
    );
    expect(m.eks.calls).not.toContain('aws-auth write prod');
    expect(m.clusters.awsAuth('prod')).toEqual(before);
  });

  it('keeps the aws-auth entry of a principal whose access entry someone else made', async () => {
    const m = await migrating();
    m.eks.seed('prod', { principalArn: userArn('dora'), kubernetesGroups: ['hand-made'] });

    const summary = await syncAccess(m.deps('migrate'))(apply);

    expect(summary.clusters[0]?.conflicts).toEqual([
      `${userArn('dora')}: an access entry not created by this tool exists; left as it is`,
    ]);
    expect(m.arns()).toEqual([`arn:aws:iam::${account}:role/eks-node-group-role`, userArn('dora')]);
  });

  it('changes nothing on a repeated run', async () => {
    const m = await migrating();
    await syncAccess(m.deps('migrate'))(apply);
    m.eks.calls.length = 0;

    const summary = await syncAccess(m.deps('migrate'))(apply);

    expect(summary.clusters[0]?.status).toBe('unchanged');
    expect(m.eks.calls).toEqual([]);
  });
});
