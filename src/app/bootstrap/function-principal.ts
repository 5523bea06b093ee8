import { foreignFunctionRole } from '../../domain/config/privilege-policy';
import { DomainError } from '../../domain/errors';

/** The configured bootstrap.functionRoleArn names another principal than the function itself. */
export class ForeignFunctionRoleError extends DomainError {
  override name = 'ForeignFunctionRoleError';
}

/**
 * The principal bootstrap grants itself cluster access as. A configured `functionRoleArn` is used
 * only once the caller's own role (from STS) is found to be that role: it names the role's path,
 * which STS does not say, and must never hand cluster-admin to anyone else.
 */
export function functionPrincipal(
  configured: string | undefined,
  fromEnvironment: string | undefined,
  caller: () => Promise<string>,
): () => Promise<string> {
  if (configured === undefined) return fromEnvironment ? async () => fromEnvironment : caller;
  return async () => {
    const why = foreignFunctionRole(configured, await caller());
    if (why) throw new ForeignFunctionRoleError(why);
    return configured;
  };
}
