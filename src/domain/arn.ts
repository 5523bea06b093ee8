import { InvalidArnError } from './errors';

/** An IAM principal as aws-auth and access entries name it. */
export interface IamPrincipalArn {
  kind: 'user' | 'role';
  partition: string;
  accountId: string;
  /** The path between the kind and the name, `/` when there is none, as IAM gives it. */
  path: string;
  name: string;
  /** The ARN as given. */
  arn: string;
}

const principalPattern =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(\d{12}):(user|role)(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,128})$/;
const stsSession = /^arn:[\w-]+:sts::\d{12}:(assumed-role|federated-user)\//;

/** Parses a user or role ARN; an STS session ARN gets a message that says what to use instead. */
export function parsePrincipalArn(arn: string, expected?: 'user' | 'role'): IamPrincipalArn {
  const text = arn.trim();
  if (stsSession.test(text)) {
    const [, partition, , , account, resource = ''] = text.split(':');
    const [session, role = 'NAME'] = resource.split('/');
    if (session === 'federated-user') {
      throw new InvalidArnError(
        `${text} is an STS session ARN; use the IAM ARN of the user or role behind it`,
      );
    }
    throw new InvalidArnError(
      `${text} is an STS session ARN; use the role's IAM ARN instead (arn:${partition}:iam::${account}:role/${role})`,
    );
  }
  const match = principalPattern.exec(text);
  if (!match) {
    throw new InvalidArnError(`${JSON.stringify(arn)} is not an IAM ${expected ?? 'user or role'} ARN`);
  }
  const [, partition = '', accountId = '', kind, path = '/', name = ''] = match;
  if (expected && kind !== expected) {
    throw new InvalidArnError(`${text} is an IAM ${kind} ARN where a ${expected} ARN is needed`);
  }
  return { kind: kind as 'user' | 'role', partition, accountId, path, name, arn: text };
}

/**
 * The role ARN the EKS authenticator can match: it turns the caller's assumed-role ARN into
 * `arn:aws:iam::ACCOUNT:role/NAME`, dropping the path, so a mapRoles entry with a path never matches.
 */
export function authenticatorRoleArn(role: IamPrincipalArn): string {
  return `arn:${role.partition}:iam::${role.accountId}:role/${role.name}`;
}

/** The key the authenticator compares by: ARNs match case-insensitively. */
export function arnKey(arn: string): string {
  return arn.trim().toLowerCase();
}
