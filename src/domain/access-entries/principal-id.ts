import type { AccessEntry } from './access-entries';

/**
 * EKS binds an access entry to the principal's unique id (IAM UserId / RoleId) when it is made: a
 * user or role deleted and created again under the same ARN gets a new id and the old entry lets
 * it in no more. The tool records the id it made an entry for, to tell such a dead entry apart.
 */
export const principalIdTag = 'eks-access-sync.io/principal-id';

/**
 * What the recorded id says about an entry, given IAM's id for its ARN today (absent: unknown).
 * `recreated`: made for an earlier principal of this ARN; `unrecorded`: made before ids were kept.
 */
export function principalIdStatus(
  entry: Pick<AccessEntry, 'tags'>,
  currentId: string | undefined,
): 'same' | 'recreated' | 'unrecorded' | 'unknown' {
  if (currentId === undefined) return 'unknown';
  const recorded = entry.tags[principalIdTag];
  if (recorded === undefined) return 'unrecorded';
  return recorded === currentId ? 'same' : 'recreated';
}
