import { type AccessConfig, appliesTo } from '../config/config';
import type { GroupMembers, IamUser } from './desired-state';

/**
 * IAM names are unique regardless of case (`eks-admins` and `EKS-Admins` are one group), and an
 * event carries the name as the caller typed it: group names are compared as IAM compares them.
 */
export function iamNameKey(name: string): string {
  return name.toLowerCase();
}

export function sameIamName(a: string, b: string): boolean {
  return iamNameKey(a) === iamNameKey(b);
}

/** The members of a group, whichever spelling of its name the map was keyed by. */
export function membersOf(members: GroupMembers, group: string): readonly IamUser[] {
  const exact = members.get(group);
  const key = iamNameKey(group);
  const others = [...members].filter(([name]) => name !== group && iamNameKey(name) === key);
  if (others.length === 0) return exact ?? [];
  return [...(exact ?? []), ...others.flatMap(([, users]) => users)];
}

/** The IAM groups whose mappings apply to a cluster, as the config spells them, sorted. */
export function groupsMappedOn(config: AccessConfig, cluster: string): string[] {
  return config.groups
    .filter((g) => appliesTo(g, cluster))
    .map((g) => g.iamGroup)
    .sort();
}

/** Why a group's members are not known: it does not exist (deleted, renamed), or IAM failed to answer. */
export type UnreadGroup = { group: string; missing: true } | { group: string; missing: false; error: string };

/**
 * What stops a cluster's sync when some mapped groups could not be read: only the groups mapped on
 * that cluster count, so a deleted group blocks the clusters it is mapped on and nothing else. A
 * failed read is an `error` (worth retrying); a missing group is `refused` until the config or IAM
 * is fixed, since a retry cannot help.
 */
export function blockedBy(
  config: AccessConfig,
  cluster: string,
  unread: readonly UnreadGroup[],
): { status: 'error' | 'refused'; reason: string } | undefined {
  const mapped = new Set(groupsMappedOn(config, cluster).map(iamNameKey));
  const here = unread
    .filter((u) => mapped.has(iamNameKey(u.group)))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  const errors = here.flatMap((u) => (u.missing ? [] : [u.error]));
  if (errors.length > 0) {
    return {
      status: 'error',
      reason: `IAM could not be read completely, nothing changed: ${errors.join('; ')}`,
    };
  }
  if (here.length === 0) return undefined;
  const names = here.map((u) => u.group).join(', ');
  return {
    status: 'refused',
    reason:
      `IAM group${here.length === 1 ? '' : 's'} ${names} mapped on cluster ${cluster} ` +
      `${here.length === 1 ? 'does' : 'do'} not exist (deleted or renamed?): nothing changed on this cluster, ` +
      'so none of its members is removed by mistake; fix the config or IAM. Clusters those groups are not mapped on sync as usual',
  };
}
