import { AwsAuthParseError } from '../errors';
import { formatDuration } from '../rotation/rotation-duration';

/** On aws-auth: the runs of this tool that removed entries lately, read by the next run's guard. */
export const recentRemovalsAnnotation = 'eks-access-sync.io/recent-removals';

/** One run that removed entries: when (epoch seconds), how many it owned before, how many it removed. */
export interface RemovalRun {
  at: number;
  owned: number;
  removed: number;
}

/** The removals of the window so far, and the number owned when the window's first of them ran. */
export interface RemovalWindow {
  seconds: number;
  removed: number;
  ownedAtStart?: number;
}

export function readRemovalRuns(annotations: Record<string, string>): RemovalRun[] {
  const raw = annotations[recentRemovalsAnnotation];
  if (raw === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const valid =
    Array.isArray(value) &&
    value.every(
      (r) => Array.isArray(r) && r.length === 3 && r.every((n) => Number.isSafeInteger(n) && n >= 0),
    );
  if (!valid) {
    // Unknown past removals could hide a mass removal spread over runs: refuse, as for the ownership record.
    throw new AwsAuthParseError([
      `annotation ${recentRemovalsAnnotation} is not a list of [time, owned, removed]`,
    ]);
  }
  return (value as number[][]).map(([at, owned, removed]) => ({ at, owned, removed }) as RemovalRun);
}

/** The runs still inside the window ending now. */
export function removalWindow(runs: RemovalRun[], now: Date, seconds: number): RemovalWindow {
  const since = Math.floor(now.getTime() / 1000) - seconds;
  const inside = runs.filter((r) => r.at > since).sort((a, b) => a.at - b.at);
  return {
    seconds,
    removed: inside.reduce((sum, r) => sum + r.removed, 0),
    ...(inside[0] ? { ownedAtStart: inside[0].owned } : {}),
  };
}

/**
 * Why `removals` must be withheld, or undefined. They are counted with the window's earlier ones
 * against what was owned at its start (or now, before this plan: what the plan adds does not count),
 * so neither replacing every entry at once nor removing a few per run empties aws-auth.
 */
export function removalRefusal(
  removals: number,
  ownedBefore: number,
  window: RemovalWindow | undefined,
  maxShare: number,
): string | undefined {
  const earlier = window?.removed ?? 0;
  const base = window?.ownedAtStart ?? ownedBefore;
  const total = earlier + removals;
  if (removals === 0 || total <= 2 || total <= maxShare * base) return undefined;
  const share = `more than ${Math.round(maxShare * 100)}%`;
  const withheld = 'removals withheld, run with force to apply them';
  if (window?.ownedAtStart === undefined) {
    return `would remove ${removals} of the ${ownedBefore} entries this tool owns (${share}); ${withheld}`;
  }
  const after = earlier > 0 ? ` after ${earlier} removed` : '';
  return (
    `would remove ${removals}${after} in the last ${formatDuration(window.seconds)}: ` +
    `${total} of the ${base} entries this tool owned then (${share}); ${withheld}`
  );
}

/** The annotation after this run (added when it `counts`); runs out of the window are dropped. */
export function recordRemovals(
  runs: RemovalRun[],
  now: Date,
  seconds: number,
  owned: number,
  removed: number,
  counts: boolean,
): string {
  const at = Math.floor(now.getTime() / 1000);
  const kept = runs.filter((r) => r.at > at - seconds);
  if (counts) kept.push({ at, owned, removed });
  return JSON.stringify(kept.map((r) => [r.at, r.owned, r.removed]));
}
