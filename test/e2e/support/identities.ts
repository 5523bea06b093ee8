import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  type IAMClient,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { type AwsCredentials, iamClient, stsClient } from '../../support/aws-clients';

/** The sandbox's home account (moto's default) and a second one, for cross-account roles. */
export const homeAccount = '123456789012';
export const otherAccount = '210987654321';

const trustAnyone = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
});

const ignoreExisting = (error: { name?: string }) => {
  if (error.name !== 'EntityAlreadyExistsException') throw error;
};

/** An IAM user with an access key that moto issued: what a person configures their AWS CLI with. */
export async function iamPerson(userName: string, groups: string[] = []) {
  const iam = iamClient();
  await iam.send(new CreateUserCommand({ UserName: userName })).catch(ignoreExisting);
  for (const group of groups) await joinGroup(iam, group, userName);
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error(`moto issued no access key for ${userName}`);
  return {
    userName,
    credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey } as AwsCredentials,
    /** Deactivates the key in IAM (moto), as `aws iam update-access-key --status Inactive` does. */
    deactivate: () =>
      iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId, Status: 'Inactive' }),
      ),
  };
}

export async function joinGroup(iam: IAMClient, group: string, userName: string) {
  await iam.send(new CreateGroupCommand({ GroupName: group })).catch(ignoreExisting);
  await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: userName }));
}

/** Creates the role (with its path) in the home account if needed. */
export async function iamRole(roleName: string, path = '/') {
  await iamClient()
    .send(new CreateRoleCommand({ RoleName: roleName, Path: path, AssumeRolePolicyDocument: trustAnyone }))
    .catch(ignoreExisting);
  return `arn:aws:iam::${homeAccount}:role${path}${roleName}`;
}

/** A session of a role, as `aws sts assume-role` gives it: moto issues the keys and the session token. */
export async function assumeRole(
  roleArn: string,
  sessionName: string,
  options: { externalId?: string; as?: AwsCredentials } = {},
): Promise<AwsCredentials> {
  const sts = stsClient(options.as ? { credentials: options.as } : {});
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, ExternalId: options.externalId }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error(`no credentials for ${roleArn}`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/**
 * A role in the second account: moto keeps each account apart and puts a session's calls in the
 * account of the role it assumed, so the role is created from a first session in that account.
 */
export async function otherAccountRole(roleName: string): Promise<string> {
  const arn = `arn:aws:iam::${otherAccount}:role/${roleName}`;
  const bootstrap = await assumeRole(
    `arn:aws:iam::${otherAccount}:role/OrganizationAccountAccessRole`,
    'setup',
  );
  await iamClient({ credentials: bootstrap })
    .send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustAnyone }))
    .catch(ignoreExisting);
  return arn;
}
