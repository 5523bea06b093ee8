import { beforeAll, describe, expect, it } from 'vitest';
import { seedAwsAuth } from '../../scripts/sandbox/seed';
import { grantGroup, readAwsAuth, resetAwsAuth } from './support/cluster-admin';
import { ec2Instance } from './support/ec2-instance';
import { invokeSyncAccess, useFunctionsWith } from './support/functions';
import { assumeRole, homeAccount, iamRole, otherAccount, otherAccountRole } from './support/identities';
import { canI, kubectlAs, unauthorized, whoAmI } from './support/kube-as';

/**
 * Roles that people assume, mapped through `roles:`, and the node roles nobody but EKS writes: sessions
 * that moto issues sign the tokens, the real authenticator renders the username templates.
 */
const ssoPath = '/aws-reserved/sso.amazonaws.com/eu-west-1/';
const ssoRoleName = 'AWSReservedSSO_E2EDeveloper_0123456789abcdef';

describe('roles people assume, and the nodes', () => {
  let adminRole: string;
  let ssoRole: string;
  let partnerRole: string;

  beforeAll(async () => {
    adminRole = await iamRole('e2e-eks-admin');
    ssoRole = await iamRole(ssoRoleName, ssoPath);
    partnerRole = await otherAccountRole('e2e-partner-deployer');
    for (const node of ['eks-node-group-role', 'eks-fargate-pod-execution-role', 'eks-windows-node-role'])
      await iamRole(node);
    useFunctionsWith(`
clusters:
  - name: sandbox
    region: us-east-1
roles:
  - roleArn: ${adminRole}
    username: "admin:{{SessionName}}"
    kubernetesGroups: [e2e-admins]
  # As IAM Identity Center creates it: with its path, which aws-auth must not carry.
  - roleArn: ${ssoRole}
    username: "sso:{{SessionName}}"
    kubernetesGroups: [e2e-developers]
  # A partner's CI role in another account.
  - roleArn: ${partnerRole}
    username: "partner:{{SessionName}}"
    kubernetesGroups: [e2e-deployers]
`);
    await resetAwsAuth();
    await grantGroup('e2e-admins', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    await grantGroup('e2e-developers', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    await grantGroup('e2e-deployers', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
    ]);
    const applied = await invokeSyncAccess({ action: 'apply' });
    expect(applied).toMatchObject({ clusters: [{ cluster: 'sandbox', status: 'updated' }] });
  });

  it('maps a session of a role that admins assume to its rendered username, @ turned into -', async () => {
    const jane = await assumeRole(adminRole, 'jane@example.com');

    const me = await whoAmI(jane);

    expect(me).toEqual({
      authenticated: true,
      username: 'admin:jane-example.com',
      groups: ['e2e-admins', 'system:authenticated'],
      arn: `arn:aws:sts::${homeAccount}:assumed-role/e2e-eks-admin/jane@example.com`,
    });
    expect(await canI(jane, 'delete', 'secrets', 'kube-system')).toBe('yes');
  });

  it('maps an IAM Identity Center (SSO) role, whose ARN carries a path, through the entry written without it', async () => {
    const dana = await assumeRole(ssoRole, 'dana@example.com');

    const me = await whoAmI(dana);

    expect(me).toMatchObject({ authenticated: true, username: 'sso:dana-example.com' });
    expect(me.authenticated && me.groups).toEqual(['e2e-developers', 'system:authenticated']);
    expect(await canI(dana, 'list', 'pods', 'default')).toBe('yes');
    expect(await canI(dana, 'get', 'secrets', 'default')).toBe('no');
    const written = (await readAwsAuth()).data?.mapRoles ?? '';
    expect(written).toContain(`rolearn: "arn:aws:iam::${homeAccount}:role/${ssoRoleName}"\n`);
    expect(written).not.toContain('aws-reserved');
  });

  it('maps a role in another account, assumed across accounts with and without an external id', async () => {
    const withExternalId = await assumeRole(partnerRole, 'ci-run-1', { externalId: 'partner-7f3a' });
    const without = await assumeRole(partnerRole, 'ci-run-2');

    for (const [session, credentials] of [
      ['ci-run-1', withExternalId],
      ['ci-run-2', without],
    ] as const) {
      const me = await whoAmI(credentials);
      expect(me).toEqual({
        authenticated: true,
        username: `partner:${session}`,
        groups: ['e2e-deployers', 'system:authenticated'],
        arn: `arn:aws:sts::${otherAccount}:assumed-role/e2e-partner-deployer/${session}`,
      });
      expect(await canI(credentials, 'create', 'deployments', 'default')).toBe('yes');
      expect(await canI(credentials, 'delete', 'deployments', 'default')).toBe('no');
    }
  });

  it('keeps node, Fargate and Windows roles authenticating after a sync and after a rollback', async () => {
    const instance = await ec2Instance();
    const windows = await ec2Instance();
    const sessions = {
      node: await assumeRole(`arn:aws:iam::${homeAccount}:role/eks-node-group-role`, instance.instanceId),
      fargate: await assumeRole(
        `arn:aws:iam::${homeAccount}:role/eks-fargate-pod-execution-role`,
        'fargate-ip-10-0-1-7',
      ),
      windows: await assumeRole(`arn:aws:iam::${homeAccount}:role/eks-windows-node-role`, windows.instanceId),
    };
    const expected = {
      node: {
        username: `system:node:${instance.privateDnsName}`,
        groups: ['system:authenticated', 'system:bootstrappers', 'system:nodes'],
      },
      fargate: {
        username: 'system:node:fargate-ip-10-0-1-7',
        groups: ['system:authenticated', 'system:bootstrappers', 'system:node-proxier', 'system:nodes'],
      },
      windows: {
        username: `system:node:${windows.privateDnsName}`,
        groups: ['eks:kube-proxy-windows', 'system:authenticated', 'system:bootstrappers', 'system:nodes'],
      },
    };
    const assertNodesIn = async (when: string) => {
      for (const [kind, credentials] of Object.entries(sessions)) {
        const me = await whoAmI(credentials);
        expect(me, `${kind} after ${when}`).toMatchObject({
          authenticated: true,
          ...expected[kind as keyof typeof expected],
        });
      }
    };

    // After the sync in beforeAll: the tool's entries sit beside the node roles.
    await assertNodesIn('the sync');
    expect((await readAwsAuth()).data?.mapRoles).toContain(seedAwsAuth.split('\n')[0]);

    // Act: roll the tool's last change back.
    const rolledBack = await invokeSyncAccess({ action: 'rollback' });
    expect(rolledBack).toMatchObject({ clusters: [{ cluster: 'sandbox' }] });

    // Assess: the nodes are still in; the admin session the change had mapped is refused again.
    await assertNodesIn('the rollback');
    const jane = await assumeRole(adminRole, 'jane@example.com');
    expect(await whoAmI(jane)).toEqual({ authenticated: false, status: 401 });
    const refused = await kubectlAs(jane, ['get', 'nodes']);
    expect(refused.stderr).toMatch(unauthorized);
  });
});
