import { describe, expect, it } from 'vitest';
import type { IamDirectory } from '../../../src/app/ports';
import type { SsoRoleDirectory } from '../../../src/app/sync/permission-set-roles';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import type { IamRole } from '../../../src/domain/config/permission-sets';
import { memoryClusters } from '../../support/memory-clusters';

const reconcile = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const ssoArn = (account: string, set: string) =>
  `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_${set}_0123456789abcdef`;
const withoutPath = (account: string, set: string) =>
  `arn:aws:iam::${account}:role/AWSReservedSSO_${set}_0123456789abcdef`;

/** `prod` in 222233334444 (reached through its role), `dev` in 444455556666. */
const config = parseAccessConfig(`
clusters:
  - {name: prod, region: eu-west-1, roleArn: 'arn:aws:iam::222233334444:role/eks-access-sync'}
  - {name: dev, region: eu-west-1, roleArn: 'arn:aws:iam::444455556666:role/eks-access-sync'}
groups:
  - iamGroup: devs
    kubernetesGroups: [developers]
roles:
  - permissionSet: Developer
    username: 'sso-dev:{{SessionName}}'
    kubernetesGroups: [developers]
`);

const iam: IamDirectory = {
  async groupMembers() {
    return [{ userName: 'dan', arn: 'arn:aws:iam::111122223333:user/dan' }];
  },
  async userGroups() {
    return { user: { userName: 'dan', arn: 'arn:aws:iam::111122223333:user/dan' }, groups: ['devs'] };
  },
};

/** The SSO roles of each account (by the cluster's role), an Error where ListRoles fails; counts its calls. */
function ssoRoles(byAccount: Record<string, IamRole[] | Error>) {
  const calls: string[] = [];
  const directory: SsoRoleDirectory = {
    async rolesFor(cluster) {
      const account = /iam::(\d{12}):/.exec(cluster.roleArn ?? '')?.[1] ?? 'own';
      calls.push(cluster.name);
      const roles = byAccount[account];
      if (roles instanceof Error) throw roles;
      return roles ?? [];
    },
  };
  return { directory, calls };
}

const developer = (account: string): IamRole => ({
  roleName: 'AWSReservedSSO_Developer_0123456789abcdef',
  arn: ssoArn(account, 'Developer'),
});

describe("a permission set is mapped by the role it has in each cluster's account", () => {
  it('writes each account its own SSO role without path, and names the account that has none', async () => {
    const clusters = memoryClusters();
    const sso = ssoRoles({ '222233334444': [developer('222233334444')], '444455556666': [] });

    const summary = await syncAccess({ config, iam, clusters: clusters.access, ssoRoles: sso.directory })(
      reconcile,
    );

    const arns = (c: string) =>
      parseAwsAuth(clusters.awsAuth(c)?.data ?? {})
        .entries.map((e) => e.arn)
        .sort();
    expect(arns('prod')).toEqual([
      'arn:aws:iam::111122223333:user/dan',
      withoutPath('222233334444', 'Developer'),
    ]);
    expect(clusters.awsAuth('prod')?.data.mapRoles).not.toContain('aws-reserved');
    // dev: the set has no role there; its mapping is skipped, the rest of dev still syncs.
    expect(arns('dev')).toEqual(['arn:aws:iam::111122223333:user/dan']);
    const dev = summary.clusters.find((c) => c.cluster === 'dev');
    expect(dev).toMatchObject({ status: 'updated' });
    expect(dev?.warnings).toContain(
      'permission set Developer has no role in account 444455556666 of cluster dev: its mapping is skipped there',
    );
    expect(summary.clusters.find((c) => c.cluster === 'prod')?.warnings).toEqual([]);
  });

  it('changes nothing on a cluster whose account cannot be listed, and says why; the others sync', async () => {
    const clusters = memoryClusters();
    const healthy = ssoRoles({
      '222233334444': [developer('222233334444')],
      '444455556666': [developer('444455556666')],
    });
    await syncAccess({ config, iam, clusters: clusters.access, ssoRoles: healthy.directory })(reconcile);
    const before = clusters.awsAuth('dev');

    const denied = ssoRoles({
      '222233334444': [developer('222233334444')],
      '444455556666': new Error('AccessDenied: not authorized to perform iam:ListRoles'),
    });
    const summary = await syncAccess({ config, iam, clusters: clusters.access, ssoRoles: denied.directory })(
      reconcile,
    );

    expect(summary.clusters.find((c) => c.cluster === 'dev')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/iam:ListRoles/),
    });
    // The role it mapped is not taken for gone: aws-auth is exactly as before.
    expect(clusters.awsAuth('dev')).toEqual(before);
    expect(summary.clusters.find((c) => c.cluster === 'prod')?.status).toBe('unchanged');
  });

  it('lists no roles for a membership event, which touches no role entry', async () => {
    const clusters = memoryClusters();
    const sso = ssoRoles({ '222233334444': [developer('222233334444')] });

    await syncAccess({ config, iam, clusters: clusters.access, ssoRoles: sso.directory })({
      kind: 'membership',
      changes: [{ userName: 'dan', group: 'devs' }],
      why: 'test',
    });

    expect(sso.calls).toEqual([]);
    expect(parseAwsAuth(clusters.awsAuth('prod')?.data ?? {}).entries.map((e) => e.arn)).toEqual([
      'arn:aws:iam::111122223333:user/dan',
    ]);
  });

  it('refuses, naming the cluster, a run that maps permission sets but cannot list roles', async () => {
    const clusters = memoryClusters();
    const summary = await syncAccess({ config, iam, clusters: clusters.access })(reconcile);
    expect(summary.clusters.map((c) => [c.cluster, c.status])).toEqual([
      ['prod', 'error'],
      ['dev', 'error'],
    ]);
    expect(summary.clusters[1]?.reason).toMatch(
      /cluster dev maps permission sets, but this run cannot list IAM roles/,
    );
    expect(clusters.awsAuth('dev')).toBeUndefined();
  });
});
