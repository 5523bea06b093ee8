import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { iamSsoRoles, SsoRoleListError } from '../../../src/adapters/iam-sso-roles';
import type { ClusterConfig } from '../../../src/domain/config/config';

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const prod = { name: 'prod', region: 'eu-west-1', backend: 'configMap' } as ClusterConfig;
const role = (name: string) => ({
  RoleName: name,
  Arn: `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/${name}`,
  Path: '/aws-reserved/sso.amazonaws.com/',
  RoleId: 'AROA',
  CreateDate: new Date(0),
});

describe('iamSsoRoles (ListRoles under the SSO path)', () => {
  it('reads every page under the SSO path, once per account within an invocation', async () => {
    iam
      .on(ListRolesCommand, { PathPrefix: '/aws-reserved/sso.amazonaws.com/', Marker: undefined })
      .resolves({ Roles: [role('AWSReservedSSO_A_0123456789abcdef')], IsTruncated: true, Marker: 'p2' })
      .on(ListRolesCommand, { PathPrefix: '/aws-reserved/sso.amazonaws.com/', Marker: 'p2' })
      .resolves({ Roles: [role('AWSReservedSSO_B_0123456789abcdef')], IsTruncated: false });
    const roles = iamSsoRoles({ credentials });

    const first = await roles.rolesFor(prod);
    await roles.rolesFor({ ...prod, name: 'dev' });

    expect(first.map((r) => r.roleName)).toEqual([
      'AWSReservedSSO_A_0123456789abcdef',
      'AWSReservedSSO_B_0123456789abcdef',
    ]);
    expect(iam.commandCalls(ListRolesCommand)).toHaveLength(2);
  });

  it('fails with SsoRoleListError naming the cluster, and asks again on the next call', async () => {
    iam
      .on(ListRolesCommand)
      .rejectsOnce(
        Object.assign(new Error('not authorized to perform iam:ListRoles'), { name: 'AccessDenied' }),
      );
    const roles = iamSsoRoles({ credentials, maxAttempts: 1 });

    const failed = roles.rolesFor(prod);

    await expect(failed).rejects.toBeInstanceOf(SsoRoleListError);
    await expect(failed).rejects.toThrow(/IAM Identity Center roles of cluster prod's account: AccessDenied/);
    iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    await expect(roles.rolesFor(prod)).resolves.toEqual([]);
  });
});
