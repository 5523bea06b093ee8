import { sortedUnique } from '../aws-auth/desired-state';
import {
  type AccessEntry,
  type AccessGrant,
  type AssociatedPolicy,
  type DesiredAccessEntry,
  isOwned,
  samePolicy,
  showPolicy,
} from './access-entries';
import { principalIdStatus } from './principal-id';
import { adminGrantTag, grantsClusterAdmin, protectedBecause } from './protected-entries';

/** One access entry to create, change, delete, or replace (delete + create: its principal was recreated). */
export interface AccessEntryChange {
  action: 'create' | 'update' | 'delete' | 'replace';
  principalArn: string;
  key: string;
  before?: AccessGrant;
  after?: AccessGrant;
  /** An entry this tool did not create, taken over because the config says to adopt (it gets the tag). */
  adopt?: boolean;
  /** Username or Kubernetes groups differ: UpdateAccessEntry. */
  updateEntry: boolean;
  /** The entry's record of a cluster-admin the config grants (or no longer grants) changes. */
  recordAdmin?: 'granted' | 'revoked';
  associate: AssociatedPolicy[];
  disassociate: string[];
  /** IAM's unique id of the principal today, to record on the entry (create, replace, or not yet recorded). */
  principalId?: string;
}

export interface AccessEntryPlan {
  /** Sorted by key; apply creates and updates before deletes. */
  changes: AccessEntryChange[];
  unchanged: number;
  /** Principals the config wants that already have an entry this tool did not create: left alone. */
  conflicts: { principalArn: string; type: string; existing: AccessGrant; wanted: AccessGrant }[];
  /** Entries this tool may never change or delete (not STANDARD, cluster-admin it did not grant), and why. */
  protected: { principalArn: string; reason: string }[];
  withheld: AccessEntryChange[];
  refusal?: string;
  /** Desired principals whose entry is this tool's and as wanted once the plan is applied. */
  inPlace: DesiredAccessEntry[];
}

export interface AccessEntryPlanOptions {
  adoptUnownedEntries: boolean;
  maxRemovalShare: number;
  force: boolean;
  /** Limit the plan to these principal keys (a membership event); absent: everything. */
  scope?: ReadonlySet<string>;
  /** Principal key → IAM's unique id today; a principal absent here is unknown and its id left as it is. */
  principalIds?: ReadonlyMap<string, string>;
}

/**
 * Compares the cluster's access entries with the desired ones. Entries without this tool's tag are
 * never changed or deleted; a removal of an unusually large share of its own is withheld unless forced.
 */
export function planAccessEntries(
  current: readonly AccessEntry[],
  desired: readonly DesiredAccessEntry[],
  options: AccessEntryPlanOptions,
): AccessEntryPlan {
  const inScope = (key: string) => options.scope === undefined || options.scope.has(key);
  const byKey = new Map(current.map((e) => [e.key, e]));
  const changes: AccessEntryChange[] = [];
  const conflicts: AccessEntryPlan['conflicts'] = [];
  const guarded: AccessEntryPlan['protected'] = [];
  const inPlace: DesiredAccessEntry[] = [];
  let unchanged = 0;

  for (const want of desired.filter((d) => inScope(d.key))) {
    const entry = byKey.get(want.key);
    const after = grant(want);
    const currentId = options.principalIds?.get(want.key);
    const principalId = currentId === undefined ? {} : { principalId: currentId };
    if (!entry) {
      changes.push({ ...noChange(want, 'create'), after, associate: want.policies, ...principalId });
      inPlace.push(want);
      continue;
    }
    const adoptable = options.adoptUnownedEntries && entry.type === 'STANDARD';
    if (!isOwned(entry) && !adoptable) {
      conflicts.push({
        principalArn: entry.principalArn,
        type: entry.type,
        existing: grant(entry),
        wanted: after,
      });
      continue;
    }
    const reason = protectedBecause(entry, want);
    if (reason) {
      guarded.push({ principalArn: entry.principalArn, reason });
      continue;
    }
    const before = grant(entry);
    const idStatus = principalIdStatus(entry, currentId);
    if (idStatus === 'recreated' && isOwned(entry)) {
      // The entry lets no one in (EKS bound it to the old id): made again, it serves today's principal.
      changes.push({ ...noChange(want, 'replace'), before, after, associate: want.policies, ...principalId });
      inPlace.push(want);
      continue;
    }
    // Recorded only where unrecorded: a different id on an entry not the tool's is not the tool's to fix.
    const recordId = idStatus === 'unrecorded';
    const recordAdmin = adminRecord(entry, want);
    const updateEntry = entry.username !== want.username || !sameList(entry.groups, want.groups);
    const associate = want.policies.filter((p) => !before.policies.some((b) => samePolicy(p, b)));
    const disassociate = before.policies
      .filter((b) => !want.policies.some((p) => p.policy === b.policy))
      .map((b) => b.policy);
    const adopt = !isOwned(entry);
    inPlace.push(want);
    if (
      !adopt &&
      !recordId &&
      !updateEntry &&
      !recordAdmin &&
      associate.length === 0 &&
      disassociate.length === 0
    ) {
      unchanged++;
      continue;
    }
    changes.push({
      ...noChange(want, 'update'),
      before,
      after,
      ...(adopt ? { adopt } : {}),
      ...(recordAdmin ? { recordAdmin } : {}),
      ...(recordId ? principalId : {}),
      updateEntry,
      associate,
      disassociate,
    });
  }

  const wanted = new Set(desired.map((d) => d.key));
  const owned = current.filter(isOwned);
  const removals: AccessEntryChange[] = [];
  for (const e of owned.filter((o) => inScope(o.key) && !wanted.has(o.key))) {
    const reason = protectedBecause(e, undefined);
    if (reason) guarded.push({ principalArn: e.principalArn, reason });
    else removals.push({ ...noChange(e, 'delete'), before: grant(e) });
  }
  let withheld: AccessEntryChange[] = [];
  let refusal: string | undefined;
  if (!options.force && removals.length > 2 && removals.length > options.maxRemovalShare * owned.length) {
    // IAM answering with empty groups by mistake must not lock everyone out: keep them, say so.
    refusal =
      `would delete ${removals.length} of the ${owned.length} access entries this tool owns ` +
      `(more than ${Math.round(options.maxRemovalShare * 100)}%); deletions withheld, run with force to apply them`;
    withheld = removals;
  } else {
    changes.push(...removals);
  }
  return {
    changes: changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    unchanged,
    conflicts,
    protected: guarded.sort((a, b) => (a.principalArn < b.principalArn ? -1 : 1)),
    withheld,
    ...(refusal ? { refusal } : {}),
    inPlace,
  };
}

/** Whether the entry's record of a config-granted cluster-admin must change to say what the config wants now. */
function adminRecord(entry: AccessEntry, want: DesiredAccessEntry): AccessEntryChange['recordAdmin'] {
  const recorded = entry.tags[adminGrantTag.key] === adminGrantTag.granted;
  const wanted = grantsClusterAdmin(want.policies);
  return wanted && !recorded ? 'granted' : !wanted && recorded ? 'revoked' : undefined;
}

function noChange(
  entry: { principalArn: string; key: string },
  action: AccessEntryChange['action'],
): AccessEntryChange {
  return {
    action,
    principalArn: entry.principalArn,
    key: entry.key,
    updateEntry: false,
    associate: [],
    disassociate: [],
  };
}

function grant(entry: { username: string; groups: string[]; policies?: AssociatedPolicy[] }): AccessGrant {
  return { username: entry.username, groups: sortedUnique(entry.groups), policies: entry.policies ?? [] };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const x = sortedUnique(a);
  const y = sortedUnique(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The plan as lines a person reviews, in the same `+ - ~ ! =` style as the aws-auth diff. */
export function describeAccessEntryPlan(plan: AccessEntryPlan): string[] {
  const show = (g: AccessGrant) =>
    `username=${JSON.stringify(g.username)} groups=[${g.groups.join(', ')}]` +
    (g.policies.length > 0 ? ` policies=[${g.policies.map(showPolicy).join(', ')}]` : '');
  const lines: string[] = [];
  for (const c of plan.changes) {
    if (c.action === 'create' && c.after) lines.push(`+ accessEntry ${c.principalArn} ${show(c.after)}`);
    else if (c.action === 'delete' && c.before)
      lines.push(`- accessEntry ${c.principalArn} ${show(c.before)}`);
    else if (c.action === 'replace' && c.before && c.after)
      lines.push(
        `~ accessEntry ${c.principalArn} (recreated principal: replaced) ${show(c.before)} → ${show(c.after)}`,
      );
    else if (c.before && c.after) {
      const adopted = c.adopt ? ' (adopted)' : '';
      lines.push(`~ accessEntry ${c.principalArn}${adopted} ${show(c.before)} → ${show(c.after)}`);
    }
  }
  for (const c of plan.conflicts) {
    lines.push(
      `! accessEntry ${c.principalArn}: a ${c.type} entry this tool did not create exists; left as it is, wanted ${show(c.wanted)}`,
    );
  }
  for (const p of plan.protected) lines.push(`! accessEntry ${p.principalArn}: left as it is, ${p.reason}`);
  for (const w of plan.withheld) lines.push(`= accessEntry ${w.principalArn}: deletion withheld`);
  if (plan.refusal) lines.push(`refused: ${plan.refusal}`);
  return lines;
}
