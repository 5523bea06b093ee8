import { GetRoleCommand, GetUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { IamPrincipals } from '../app/review/review-ports';
import { arnKey, type IamPrincipalArn } from '../domain/arn';

/** IAM could not say whether a principal exists (not that it does not). */
export class IamPrincipalReadError extends Error {
  override name = 'IamPrincipalReadError';
}

const isNoSuchEntity = (error: unknown) => (error as { name?: string }).name === 'NoSuchEntityException';

/**
 * Whether IAM still has a user or role, asked of the account whose credentials the client has
 * (`accountId`); a principal of any other account is unknown, not missing. A user is the one named
 * only if its ARN is the same (the path is part of it); a role is matched by name, as the
 * authenticator drops its path.
 */
export function iamPrincipals(
  iam: Pick<IAMClient, 'send'>,
  accountId: () => Promise<string | undefined>,
): IamPrincipals {
  async function uniqueId(principal: IamPrincipalArn): Promise<string | null | undefined> {
    if (principal.accountId !== (await accountId())) return undefined;
    try {
      if (principal.kind === 'role') {
        const { Role } = await iam.send(new GetRoleCommand({ RoleName: principal.name }));
        return Role?.RoleId ?? null;
      }
      const { User } = await iam.send(new GetUserCommand({ UserName: principal.name }));
      if (User?.Arn === undefined || arnKey(User.Arn) !== arnKey(principal.arn)) return null;
      return User.UserId ?? null;
    } catch (error) {
      if (isNoSuchEntity(error)) return null;
      throw new IamPrincipalReadError(
        `asking IAM for ${principal.arn}: ${(error as Error).name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return { uniqueId };
}
