import type { AwsAuthEntry, ParsedAwsAuth } from './aws-auth';
import type { AwsAuthPlan, DriftedEntry, EntryChange, Mapping, PlanOptions } from './aws-auth-plan';
import { byEntryKey, type DesiredEntry, sortedUnique } from './desired-state';
import { emptyOwnership, entryDigest, type Ownership, sameOwnership } from './ownership';
import { claimStatus, neverWritten } from './ownership-claims';
import { removalRefusal } from './removal-guard';

export type {
  AwsAuthPlan,
  DriftedEntry,
  DriftPolicy,
  EntryChange,
  Mapping,
  PlanOptions,
} from './aws-auth-plan';

/**
 * Compares what aws-auth holds with what the config wants. Entries the tool does not own are
 * never changed or removed; owned entries converge on the desired state; an owned entry someone
 * changed is drift, handled as `onDrift` says.
 */
export function planAwsAuth(
  current: ParsedAwsAuth,
  owned: Ownership,
  desired: readonly DesiredEntry[],
  options: PlanOptions,
): AwsAuthPlan {
  const inScope = (key: string) => options.scope === undefined || options.scope.has(key);
  const onDrift = options.onDrift ?? 'report';
  const policy = { allowSystemMasters: options.allowSystemMasters ?? false };
  // What the tool would not recognise as its own afterwards, it does not write in the first place.
  const unwritable: AwsAuthPlan['unwritable'] = [];
  const writable = desired.filter((d) => {
    const why = neverWritten(d, policy);
    if (why !== undefined && inScope(d.key)) unwritable.push({ section: d.section, arn: d.arn, why });
    return why === undefined;
  });
  const wanted = new Map(writable.filter((d) => inScope(d.key)).map((d) => [`${d.section}:${d.key}`, d]));
  const nextOwned = emptyOwnership();
  const own = (e: AwsAuthEntry | DesiredEntry) => nextOwned[e.section].set(e.key, entryDigest(e));
  const changes: EntryChange[] = [];
  const conflicts: AwsAuthPlan['conflicts'] = [];
  const drifted: DriftedEntry[] = [];
  const ignoredClaims: AwsAuthPlan['ignoredClaims'] = [];
  const kept: AwsAuthEntry[] = [];
  const ownedEntries: AwsAuthEntry[] = [];
  let unchanged = 0;
  let ownedBefore = 0;

  for (const entry of current.entries) {
    const id = `${entry.section}:${entry.key}`;
    const want = wanted.get(id);
    const status = claimStatus(entry, owned, policy);
    if (status === 'owned') ownedBefore++;
    if (status === 'ignored') {
      const why = neverWritten(entry, policy) ?? '';
      ignoredClaims.push({ section: entry.section, arn: entry.arn, why });
    }
    if (status === 'drifted') {
      const resolution = !inScope(entry.key) ? 'reported' : driftResolution[onDrift];
      drifted.push({
        section: entry.section,
        arn: entry.arn,
        existing: mapping(entry),
        ...(want ? { wanted: mapping(want) } : {}),
        resolution,
      });
      if (resolution === 'reported') {
        // The claim stays as recorded, so the drift is reported on every run until someone resolves it.
        const digest = owned[entry.section].get(entry.key);
        if (digest !== undefined) nextOwned[entry.section].set(entry.key, digest);
        wanted.delete(id);
        kept.push(entry);
        continue;
      }
    }
    const isOwned = status === 'owned' || (status === 'drifted' && onDrift === 'restore');
    if (!isOwned && !(want && options.adoptUnownedEntries)) {
      if (want)
        conflicts.push({
          section: entry.section,
          arn: entry.arn,
          existing: mapping(entry),
          wanted: mapping(want),
        });
      wanted.delete(id);
      kept.push(entry);
      continue;
    }
    if (!inScope(entry.key)) {
      own(entry);
      ownedEntries.push(entry);
      continue;
    }
    wanted.delete(id);
    if (!want) {
      changes.push({ section: entry.section, key: entry.key, arn: entry.arn, before: mapping(entry) });
      continue;
    }
    own(want);
    ownedEntries.push(toEntry(want));
    if (sameMapping(entry, want) && status === 'owned') unchanged++;
    else
      changes.push({
        section: entry.section,
        key: entry.key,
        arn: want.arn,
        before: mapping(entry),
        after: mapping(want),
      });
  }
  for (const want of wanted.values()) {
    own(want);
    ownedEntries.push(toEntry(want));
    changes.push({ section: want.section, key: want.key, arn: want.arn, after: mapping(want) });
  }

  const removals = changes.filter((c) => c.after === undefined && !options.exempt?.has(c.key));
  const refusal = options.force
    ? undefined
    : removalRefusal(removals.length, ownedBefore, options.removalWindow, options.maxRemovalShare);
  // IAM answering with empty groups by mistake must not lock everyone out: keep them, say so.
  const withheld = refusal ? removals : [];
  for (const removal of withheld) {
    const entry = current.entries.find((e) => e.section === removal.section && e.key === removal.key);
    if (entry) {
      ownedEntries.push(entry);
      own(entry);
    }
  }
  const applied = changes.filter((c) => !withheld.includes(c));
  // Owned entries in the ownership set that no longer exist are simply dropped from it.
  return {
    changes: applied.sort(byEntryKey),
    unchanged,
    conflicts,
    drifted: drifted.sort(byArn),
    ignoredClaims: ignoredClaims.sort(byArn),
    unwritable,
    withheld,
    ...(refusal ? { refusal } : {}),
    ownedBefore,
    owned: nextOwned,
    result: [...kept, ...ownedEntries.sort(byEntryKey)],
  };
}

const driftResolution = { report: 'reported', restore: 'restored', release: 'released' } as const;

function byArn(a: { section: string; arn: string }, b: { section: string; arn: string }): number {
  return byEntryKey({ section: a.section, key: a.arn }, { section: b.section, key: b.arn });
}

function toEntry(d: DesiredEntry): AwsAuthEntry {
  return {
    section: d.section,
    arn: d.arn,
    key: d.key,
    username: d.username,
    groups: d.groups,
    line: 0,
    index: -1,
  };
}

function mapping(e: { arn: string; username: string; groups: readonly string[] }): Mapping {
  return { arn: e.arn, username: e.username, groups: [...e.groups] };
}

function sameMapping(a: Mapping, b: Mapping): boolean {
  const ga = sortedUnique(a.groups);
  const gb = sortedUnique(b.groups);
  return (
    a.arn === b.arn && a.username === b.username && ga.length === gb.length && ga.every((g, i) => g === gb[i])
  );
}

/** True when applying the plan would change the ConfigMap: entries or the ownership record. */
export function planChangesSomething(plan: AwsAuthPlan, owned: Ownership): boolean {
  return plan.changes.length > 0 || !sameOwnership(plan.owned, owned);
}
