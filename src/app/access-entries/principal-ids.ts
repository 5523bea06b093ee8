import type { DesiredAccessEntry } from '../../domain/access-entries/access-entries';
import { type IamPrincipalArn, parsePrincipalArn } from '../../domain/arn';
import { mapLimited } from '../map-limited';

/** IAM's unique id of a user (UserId) or role (RoleId): `null` when IAM has no such principal, `undefined` when it cannot tell (another account). */
export interface PrincipalIds {
  uniqueId(principal: IamPrincipalArn): Promise<string | null | undefined>;
}

/**
 * The unique id IAM gives each desired principal today, by key. A principal IAM cannot answer for
 * is left out (its entry is neither replaced nor given an id) and said in a warning: an IAM error
 * must never make the sync replace an entry.
 */
export async function currentPrincipalIds(
  principals: PrincipalIds,
  desired: readonly DesiredAccessEntry[],
  concurrency: number,
): Promise<{ ids: Map<string, string>; warnings: string[] }> {
  const ids = new Map<string, string>();
  const warnings: string[] = [];
  await mapLimited([...desired], concurrency, async (want) => {
    try {
      const id = await principals.uniqueId(parsePrincipalArn(want.principalArn));
      if (typeof id === 'string') ids.set(want.key, id);
    } catch (error) {
      warnings.push(
        `${want.principalArn}: its IAM unique id could not be read, so its access entry was not checked for a recreated principal: ${(error as Error).message}`,
      );
    }
  });
  return { ids, warnings: warnings.sort() };
}
