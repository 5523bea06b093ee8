import type { AwsAuthEntry, ParsedAwsAuth } from './aws-auth';
import { byEntryKey, type DesiredEntry, sortedUnique } from './desired-state';
import { emptyOwnership, type Ownership } from './ownership';

export interface Mapping {
  arn: string;
  username: string;
  groups: string[];
}

export interface EntryChange {
  section: AwsAuthEntry['section'];
  key: string;
  arn: string;
  before?: Mapping;
  after?: Mapping;
}

/** What a sync would do to one aws-auth; `changes` are applied only when the plan is written. */
export interface AwsAuthPlan {
  changes: EntryChange[];
  unchanged: number;
  /** Entries the config wants but that someone else wrote: left alone, reported. */
  conflicts: { section: AwsAuthEntry['section']; arn: string; existing: Mapping; wanted: Mapping }[];
  /** Removals held back by the mass-removal guard, and why. */
  withheld: EntryChange[];
  refusal?: string;
  /** Which entries the tool owns once the plan is applied. */
  owned: Ownership;
  /** The entries the section texts must hold afterwards, owned ones last and sorted. */
  result: AwsAuthEntry[];
}

export interface PlanOptions {
  adoptUnownedEntries: boolean;
  maxRemovalShare: number;
  force: boolean;
  /** Limit the plan to these keys (one user's entry, after a membership event); absent: everything. */
  scope?: ReadonlySet<string>;
  /** Keys whose removal the mass-removal guard does not count: their principals keep access another way (an access entry). */
  exempt?: ReadonlySet<string>;
}

/**
 * Compares what aws-auth holds with what the config wants. Entries the tool does not own are
 * never changed or removed; owned entries converge on the desired state.
 */
export function planAwsAuth(
  current: ParsedAwsAuth,
  owned: Ownership,
  desired: readonly DesiredEntry[],
  options: PlanOptions,
): AwsAuthPlan {
  const inScope = (key: string) => options.scope === undefined || options.scope.has(key);
  const wanted = new Map(desired.filter((d) => inScope(d.key)).map((d) => [`${d.section}:${d.key}`, d]));
  const nextOwned = emptyOwnership();
  const changes: EntryChange[] = [];
  const conflicts: AwsAuthPlan['conflicts'] = [];
  const kept: AwsAuthEntry[] = [];
  const ownedEntries: AwsAuthEntry[] = [];
  let unchanged = 0;

  for (const entry of current.entries) {
    const id = `${entry.section}:${entry.key}`;
    const isOwned = owned[entry.section].has(entry.key);
    const want = wanted.get(id);
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
      nextOwned[entry.section].add(entry.key);
      ownedEntries.push(entry);
      continue;
    }
    wanted.delete(id);
    if (!want) {
      changes.push({ section: entry.section, key: entry.key, arn: entry.arn, before: mapping(entry) });
      continue;
    }
    nextOwned[entry.section].add(entry.key);
    ownedEntries.push(toEntry(want));
    if (sameMapping(entry, want) && isOwned) unchanged++;
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
    nextOwned[want.section].add(want.key);
    ownedEntries.push(toEntry(want));
    changes.push({ section: want.section, key: want.key, arn: want.arn, after: mapping(want) });
  }

  const removals = changes.filter((c) => c.after === undefined && !options.exempt?.has(c.key));
  // Counted with what this plan adds or adopts: withheld removals then stay withheld on the next run,
  // when those are owned too (counting the owned set before the plan let them through one run later).
  const ownedBefore = nextOwned.mapRoles.size + nextOwned.mapUsers.size + removals.length;
  let withheld: EntryChange[] = [];
  let refusal: string | undefined;
  if (!options.force && removals.length > 2 && removals.length > options.maxRemovalShare * ownedBefore) {
    // IAM answering with empty groups by mistake must not lock everyone out: keep them, say so.
    refusal =
      `would remove ${removals.length} of the ${ownedBefore} entries this tool owns ` +
      `(more than ${Math.round(options.maxRemovalShare * 100)}%); removals withheld, run with force to apply them`;
    withheld = removals;
    for (const removal of removals) {
      const entry = current.entries.find((e) => e.section === removal.section && e.key === removal.key);
      if (entry) {
        ownedEntries.push(entry);
        nextOwned[entry.section].add(entry.key);
      }
    }
  }
  const applied = changes.filter((c) => !withheld.includes(c));
  // Owned entries in the ownership set that no longer exist are simply dropped from it.
  return {
    changes: applied.sort(byEntryKey),
    unchanged,
    conflicts,
    withheld,
    ...(refusal ? { refusal } : {}),
    owned: nextOwned,
    result: [...kept, ...ownedEntries.sort(byEntryKey)],
  };
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
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((k) => b.has(k));
  return (
    plan.changes.length > 0 ||
    !same(plan.owned.mapRoles, owned.mapRoles) ||
    !same(plan.owned.mapUsers, owned.mapUsers)
  );
}
