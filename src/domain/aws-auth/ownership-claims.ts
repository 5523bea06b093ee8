import type { AwsAuthEntry } from './aws-auth';
import { sortedUnique } from './desired-state';
import { entryDigest, type Ownership } from './ownership';

/** What the annotation's claim on one present entry turns out to be worth. */
export type ClaimStatus =
  /** Still exactly what the tool wrote: the tool manages it. */
  | 'owned'
  /** The tool wrote it, someone changed it since: drift, handled as `onDrift` says. */
  | 'drifted'
  /** The tool could never have written it (a node role, say): the claim is ignored, the entry never touched. */
  | 'ignored'
  /** Not claimed at all. */
  | 'unowned';

export interface ClaimPolicy {
  /** Whether the config maps anything to system:masters with allowSystemMasters; otherwise the tool never writes it. */
  allowSystemMasters: boolean;
}

/**
 * Judges the claim on one entry. The annotation is only a note on the ConfigMap, which anyone who can
 * edit aws-auth can copy or edit: a claim counts only when the entry is something this tool writes and
 * still reads as it wrote it.
 */
export function claimStatus(entry: AwsAuthEntry, owned: Ownership, policy: ClaimPolicy): ClaimStatus {
  const claims = owned[entry.section];
  if (!entry.arn || !claims.has(entry.key)) return 'unowned';
  if (neverWritten(entry, policy) !== undefined) return 'ignored';
  const digest = claims.get(entry.key);
  if (digest === undefined) return entry.toolText && inToolForm(entry) ? 'owned' : 'drifted';
  return digest === entryDigest(entry) ? 'owned' : 'drifted';
}

/** Why this tool could never have written the entry, or undefined when it could have. */
export function neverWritten(
  entry: Pick<AwsAuthEntry, 'username' | 'groups'>,
  policy: ClaimPolicy,
): string | undefined {
  if (entry.username.toLowerCase().startsWith('system:node:')) {
    return `its username ${entry.username} is a node's, which this tool never writes`;
  }
  const reserved = entry.groups.find(
    (g) => g.startsWith('system:') && !(g === 'system:masters' && policy.allowSystemMasters),
  );
  if (reserved !== undefined) return `it grants ${reserved}, which this tool never writes`;
  return undefined;
}

/**
 * A first-format claim has no digest: it is kept for an entry whose text is exactly what the tool
 * writes (`toolText`) with groups sorted and unique, as every entry the tool wrote is, so an upgrade
 * keeps every untouched entry and only re-records it with its digest; text written by hand is not ours.
 */
function inToolForm(entry: AwsAuthEntry): boolean {
  const normal = sortedUnique(entry.groups);
  return normal.length === entry.groups.length && normal.every((g, i) => g === entry.groups[i]);
}
