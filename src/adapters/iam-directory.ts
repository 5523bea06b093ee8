import {
  GetGroupCommand,
  GetUserCommand,
  type IAMClient,
  ListGroupsForUserCommand,
} from '@aws-sdk/client-iam';
import type { IamDirectory } from '../app/ports';
import type { IamUser } from '../domain/aws-auth/desired-state';

/** IAM could not be read completely; any decision to remove access must wait. */
export class IamReadError extends Error {
  override name = 'IamReadError';
}

const isNoSuchEntity = (error: unknown) => (error as { name?: string }).name === 'NoSuchEntityException';

/** IAM groups and users, every page read; the SDK's own retry handles throttling. */
export function iamDirectory(iam: IAMClient): IamDirectory {
  async function send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isNoSuchEntity(error)) throw error;
      throw new IamReadError(`${what}: ${(error as Error).name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return {
    async groupMembers(group) {
      const members: IamUser[] = [];
      let marker: string | undefined;
      try {
        do {
          const page = await send(`getting IAM group ${group}`, () =>
            iam.send(new GetGroupCommand({ GroupName: group, Marker: marker })),
          );
          for (const user of page.Users ?? []) {
            if (!user.UserName || !user.Arn)
              throw new IamReadError(`getting IAM group ${group}: a member without a name or ARN`);
            members.push({
              userName: user.UserName,
              arn: user.Arn,
              ...(user.UserId ? { userId: user.UserId } : {}),
            });
          }
          marker = page.IsTruncated ? page.Marker : undefined;
          if (page.IsTruncated && !marker)
            throw new IamReadError(`getting IAM group ${group}: truncated page without a marker`);
        } while (marker);
      } catch (error) {
        if (isNoSuchEntity(error)) return undefined;
        throw error;
      }
      return members;
    },
    async userGroups(userName) {
      try {
        const groups: string[] = [];
        let marker: string | undefined;
        do {
          const page = await send(`listing the groups of IAM user ${userName}`, () =>
            iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker: marker })),
          );
          for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
          marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker);
        const { User } = await send(`getting IAM user ${userName}`, () =>
          iam.send(new GetUserCommand({ UserName: userName })),
        );
        if (!User?.Arn || !User.UserName)
          throw new IamReadError(`getting IAM user ${userName}: no ARN in the answer`);
        return {
          user: { userName: User.UserName, arn: User.Arn, ...(User.UserId ? { userId: User.UserId } : {}) },
          groups,
        };
      } catch (error) {
        if (isNoSuchEntity(error)) return undefined;
        throw error;
      }
    },
  };
}
