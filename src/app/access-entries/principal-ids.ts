import type { DesiredAccessEntry } from '../../domain/access-entries/access-entries';
import { arnKey, type IamPrincipalArn, parsePrincipalArn } from '../../domain/arn';
import { mapLimited } from '../map-limited';

/** IAM's unique id of a user (UserId) or role (RoleId): `null` when IAM has no such principal, `undefined` when it cannot tell (another account). */
export interface PrincipalIds {
  uniqueId(principal: IamPrincipalArn): Promise<string | null | undefined>;
}

/**
 * The unique id of each desired principal today, by key. The id IAM gave with the desired state
 * (a group member's UserId from GetGroup) is used as it is: thousands of users cost no IAM call.
 * Only the others (configured roles) are asked of `principals`. A principal IAM cannot answer for
 * is left out (its entry is neither replaced nor given an id) and said in a warning: an IAM error
 * must never make the sync replace an entry.
 */
export async function currentPrincipalIds(
  principals: PrincipalIds | undefined,
  desired: readonly DesiredAccessEntry[],
  concurrency: number,
): Promise<{ ids: Map<string, string>; warnings: string[] }> {
  const ids = new Map<string, string>();
  const warnings: string[] = [];
  for (const want of desired) if (want.principalId) ids.set(want.key, want.principalId);
  const unknown = principals ? desired.filter((want) => !want.principalId) : [];
  await mapLimited(unknown, concurrency, async (want) => {
    try {
      const id = await principals?.uniqueId(parsePrincipalArn(want.principalArn));
      if (typeof id === 'string') ids.set(want.key, id);
    } catch (error) {
      warnings.push(
        `${want.principalArn}: its IAM unique id could not be read, so its access entry was not checked for a recreated principal: ${(error as Error).message}`,
      );
    }
  });
  return { ids, warnings: warnings.sort() };
}

/**
 * Asks IAM once per principal for the whole run, however many clusters map it; a failed answer is
 * not kept, so the next cluster asks again. Made per run, never kept across runs: a principal
 * recreated between two runs must be seen by the second.
 */
export function oncePerRun(principals: PrincipalIds): PrincipalIds {
  const answers = new Map<string, Promise<string | null | undefined>>();
  return {
    uniqueId(principal) {
      const key = arnKey(principal.arn);
      let answer = answers.get(key);
      if (!answer) {
        answer = principals.uniqueId(principal);
        answers.set(key, answer);
        answer.catch(() => answers.delete(key));
      }
      return answer;
    },
  };
}

/** Ids already known (a permission set's RoleId from ListRoles) answered without IAM; the rest asked of `principals`. */
export function withKnownIds(
  known: ReadonlyMap<string, string>,
  principals: PrincipalIds | undefined,
): PrincipalIds {
  return {
    async uniqueId(principal) {
      const id = known.get(arnKey(principal.arn));
      if (id !== undefined) return id;
      return principals?.uniqueId(principal);
    },
  };
}
