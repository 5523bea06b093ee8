import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

/** Who the function is could not be found out. */
export class CallerIdentityError extends Error {
  override name = 'CallerIdentityError';
}

/**
 * The IAM role ARN behind the function's credentials, asked of STS once. An assumed-role ARN
 * (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`) becomes `arn:aws:iam::ACCOUNT:role/NAME`; STS
 * does not say the role's path, so a role with a path must be named in FUNCTION_ROLE_ARN instead.
 */
export function callerRoleArn(sts: Pick<STSClient, 'send'>): () => Promise<string> {
  let known: Promise<string> | undefined;
  return () => {
    known ??= sts.send(new GetCallerIdentityCommand({})).then(
      ({ Arn }) => {
        const assumed = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(Arn ?? '');
        if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
        if (Arn) return Arn;
        throw new CallerIdentityError('STS GetCallerIdentity returned no ARN');
      },
      (error: Error) => {
        known = undefined;
        throw new CallerIdentityError(`asking STS who this function is: ${error.name}: ${error.message}`, {
          cause: error,
        });
      },
    );
    return known;
  };
}
