/**
 * The result of a cluster's last sync, kept as a tag on the EKS cluster itself: read back with the
 * DescribeCluster the fleet view makes anyway, no store of its own. EKS tag values allow 256
 * characters of letters, digits, spaces and `_ . : / = + - @`, so the text is reduced to those.
 */
export const lastSyncTag = 'eks-access-sync:last-sync';

export interface LastSync {
  status: string;
  at: string;
  added: number;
  removed: number;
  changed: number;
  /** What triggered it, and why it was refused or failed. */
  note?: string;
}

const maxTagValue = 256;

/** `updated 2026-12-04T14:50:00.000Z added:1 removed:0 changed:0 schedule`, then why it was refused or failed. */
export function encodeLastSync(
  result: { status: string; added: unknown[]; removed: unknown[]; changed: unknown[]; reason?: string },
  at: Date,
  why: string,
): string {
  const counts = `added:${result.added.length} removed:${result.removed.length} changed:${result.changed.length}`;
  const head = `${result.status} ${at.toISOString()} ${counts}`;
  const note = tagText(`${why}${result.reason ? `: ${result.reason}` : ''}`);
  return `${head} ${note}`.trim().slice(0, maxTagValue);
}

/** The last sync a cluster's tags record, or undefined when none (or one this version cannot read). */
export function readLastSync(tags: Record<string, string>): LastSync | undefined {
  const value = tags[lastSyncTag];
  const match = value?.match(/^(\w+) (\S+) added:(\d+) removed:(\d+) changed:(\d+)(?: (.*))?$/);
  if (!match) return undefined;
  const [, status = '', at = '', added, removed, changed, note] = match;
  return {
    status,
    at,
    added: Number(added),
    removed: Number(removed),
    changed: Number(changed),
    ...(note ? { note } : {}),
  };
}

function tagText(text: string): string {
  return text
    .replace(/[^A-Za-z0-9 _.:/=+\-@]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
