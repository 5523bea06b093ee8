import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** The role the functions run as in the sandbox stage; the sandbox maps it as EKS maps a cluster's creator. */
export const functionRoleName = 'eks-access-sync-sandbox-function';

export interface FunctionIdentity {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * A session of the functions' role, issued by moto: the functions sign their EKS tokens with it, as a
 * Lambda function signs with its execution role's session.
 */
export async function functionIdentity(motoEndpoint: string, region: string): Promise<FunctionIdentity> {
  const config = {
    endpoint: motoEndpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const role = await new IAMClient(config).send(
    new CreateRoleCommand({ RoleName: functionRoleName, AssumeRolePolicyDocument: trust }),
  );
  const roleArn = role.Role?.Arn;
  if (!roleArn) throw new Error(`moto created no role ${functionRoleName}`);
  const session = await new STSClient(config).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'eks-access-sync', DurationSeconds: 43_200 }),
  );
  const c = session.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`no session of ${roleArn}`);
  return {
    roleArn,
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
}

/**
 * A customer-managed key in moto's KMS: what a stage whose external users have cross-account readers
 * must name (the aws/secretsmanager key cannot be read from another account). One KMS call, in the
 * JSON protocol moto's server routes by the credential scope's service.
 */
export async function sandboxKmsKey(motoEndpoint: string, region: string): Promise<string> {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const response = await fetch(`${motoEndpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.CreateKey',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/${day}/${region}/kms/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Description: 'eks-access-sync sandbox: the kubeconfig secrets' }),
  });
  const answer = (await response.json()) as { KeyMetadata?: { Arn?: string } };
  const arn = answer.KeyMetadata?.Arn;
  if (!response.ok || !arn)
    throw new Error(`moto made no KMS key: ${response.status} ${JSON.stringify(answer)}`);
  return arn;
}
