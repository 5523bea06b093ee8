import type { AwsAuthEntry } from './aws-auth';
import { parseAwsAuth } from './aws-auth';
import { encodeAwsAuth } from './aws-auth-edit';
import { byEntryKey } from './desired-state';
import { emptyOwnership, encodeOwnership, entryDigest, readOwnership } from './ownership';
import type { Mapping } from './plan';
import { type RecordedChange, recordedKey, type WriteRecord } from './write-record';

/** An entry of the undone write that someone changed since: left as it is. */
export interface UndoConflict {
  section: RecordedChange['section'];
  arn: string;
  why: string;
}

export interface Undo {
  /** The changes undone, as the rollback made them (its own record: a rollback can be rolled back). */
  undone: RecordedChange[];
  conflicts: UndoConflict[];
  data: Record<string, string>;
  /** The owned-entries annotation after the undo. */
  ownership: string;
}

/**
 * The inverse of one recorded write, applied to aws-auth as it is now: an entry still exactly as that
 * write left it goes back to what it was before; an entry changed, removed or mapped again since is a
 * conflict and stays; anything else (entries others added since, node roles) is not looked at.
 */
export function undoWrite(
  current: { data: Record<string, string>; annotations: Record<string, string> },
  record: WriteRecord,
): Undo {
  const parsed = parseAwsAuth(current.data);
  const owned = readOwnership(current.annotations);
  const find = (c: RecordedChange) =>
    parsed.entries.find((e) => e.section === c.section && e.key === recordedKey(c));
  const undone: RecordedChange[] = [];
  const conflicts: UndoConflict[] = [];
  const dropped = new Set<AwsAuthEntry>();
  const restored: AwsAuthEntry[] = [];
  for (const change of [...record.changes].sort((a, b) => byEntryKey(keyed(a), keyed(b)))) {
    const now = find(change);
    const conflict = (why: string) => conflicts.push({ section: change.section, arn: change.arn, why });
    if (change.after) {
      if (!now) {
        conflict('removed by someone else since; left as it is');
        continue;
      }
      if (!sameExactly(now, change.after)) {
        conflict('changed by someone else since; left as it is');
        continue;
      }
      dropped.add(now);
      owned[change.section].delete(now.key);
    } else if (now) {
      conflict('mapped again by someone else since; left as it is');
      continue;
    }
    if (change.before) {
      const entry = {
        section: change.section,
        key: recordedKey(change),
        ...change.before,
        line: 0,
        index: -1,
      };
      restored.push(entry);
      if (change.ownedBefore) owned[change.section].set(entry.key, entryDigest(entry));
    }
    undone.push({
      section: change.section,
      arn: change.arn,
      ...(change.after ? { before: change.after } : {}),
      ...(change.before ? { after: change.before } : {}),
      ownedBefore: true,
    });
  }
  // Entries stay where they are; what comes back is appended, written the way the tool writes.
  const result = [...parsed.entries.filter((e) => !dropped.has(e)), ...restored];
  const data = encodeAwsAuth(current.data, { result, owned: emptyOwnership(), drifted: [] });
  return { undone, conflicts, data, ownership: encodeOwnership(owned) };
}

function keyed(c: RecordedChange) {
  return { section: c.section, key: recordedKey(c) };
}

/** Exactly what the write left, groups in the order written: anything else is someone else's change. */
function sameExactly(entry: AwsAuthEntry, written: Mapping): boolean {
  return (
    entry.username === written.username &&
    entry.groups.length === written.groups.length &&
    entry.groups.every((g, i) => g === written.groups[i])
  );
}
