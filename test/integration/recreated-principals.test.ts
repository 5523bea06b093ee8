import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { eksClusters } from '../../src/adapters/eks-clusters';
import { iamDirectory } from '../../src/adapters/iam-directory';
import { iamPrincipals } from '../../src/adapters/iam-principals';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parsePrincipalArn } from '../../src/domain/arn';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { iamClient } from '../support/aws-clients';
import { type FakeEks, fakeEks } from '../support/fake-eks';
import { memoryClusters } from '../support/memory-clusters';
import { uniqueName } from '../support/sandbox';

// moto's account; IAM answers for it only.
const account = '123456789012';
const idTag = 'eks-access-sync.io/principal-id';
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

let eks: FakeEks | undefined;
afterEach(() => eks?.restore());

describe('recreated principals, with the unique ids moto issues (access entries in the in-process EKS fake)', () => {
  it('moto gives a user and a role deleted and created again a new id; another account is unknown', async () => {
    const iam = iamClient();
    const principals = iamPrincipals(iam, async () => account);
    const user = uniqueName('again-user');
    const role = uniqueName('again-role');
    const userArn = parsePrincipalArn(`arn:aws:iam::${account}:user/${user}`);
    const roleArn = parsePrincipalArn(`arn:aws:iam::${account}:role/${role}`);

    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust }));
    const first = [await principals.uniqueId(userArn), await principals.uniqueId(roleArn)];
    await iam.send(new DeleteUserCommand({ UserName: user }));
    await iam.send(new DeleteRoleCommand({ RoleName: role }));
    const gone = [await principals.uniqueId(userArn), await principals.uniqueId(roleArn)];
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust }));
    const second = [await principals.uniqueId(userArn), await principals.uniqueId(roleArn)];

    expect(first[0]).toMatch(/^\w{10,}$/);
    expect(first[1]).toMatch(/^\w{10,}$/);
    expect(gone).toEqual([null, null]);
    expect(second[0]).not.toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(
      await principals.uniqueId(parsePrincipalArn(`arn:aws:iam::999988887777:user/${user}`)),
    ).toBeUndefined();
  });

  it('replaces the access entry of a user deleted and created again under the same ARN', async () => {
    // Prepare
    const iam = iamClient();
    const group = uniqueName('again-devs');
    const user = uniqueName('again-dan');
    const arn = `arn:aws:iam::${account}:user/${user}`;
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    eks = fakeEks({ clusters: { prod: { status: 'ACTIVE', authenticationMode: 'API' } } });
    const run = syncAccess({
      config: parseAccessConfig(`
clusters: [{ name: prod, region: us-east-1, backend: accessEntries }]
groups: [{ iamGroup: ${group}, kubernetesGroups: [developers] }]
`),
      iam: iamDirectory(iam),
      principals: iamPrincipals(iam, async () => account),
      clusters: memoryClusters(eks.calls).access,
      eks: eksClusters({ credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
      sleep: async () => {},
    });
    const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
    await run(apply);
    const madeFor = eks.entries('prod')[0]?.tags?.[idTag];

    // Act: the user is deleted and made again with the same name (and group).
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: group, UserName: user }));
    await iam.send(new DeleteUserCommand({ UserName: user }));
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    eks.calls.length = 0;
    const summary = await run(apply);

    // Assess
    expect(madeFor).toMatch(/^\w{10,}$/);
    expect(summary.clusters[0]).toMatchObject({ status: 'updated', changed: [arn] });
    expect(eks.calls).toEqual([`DeleteAccessEntry ${arn}`, `CreateAccessEntry ${arn}`]);
    const now = eks.entries('prod')[0]?.tags?.[idTag];
    expect(now).toMatch(/^\w{10,}$/);
    expect(now).not.toBe(madeFor);
  });
});
