import { ownedAnnotation } from '../../domain/aws-auth/ownership';
import { describePlan } from '../../domain/aws-auth/plan-text';
import { undoWrite } from '../../domain/aws-auth/undo';
import {
  appliedRequests,
  encodeWriteRecord,
  lastWriteAnnotation,
  readWriteRecord,
  rollbackRequestsAnnotation,
  WriteRecordError,
  withAppliedRequest,
  writeRecordId,
} from '../../domain/aws-auth/write-record';
import type { ClusterConfig } from '../../domain/config/config';
import { AwsAuthParseError } from '../../domain/errors';
import { WriteConflictError } from '../ports';
import { type ClusterResult, emptyResult } from './cluster-result';
import type { SyncDeps } from './sync-cluster';

/**
 * Undoes the tool's last write on aws-auth as it is now: entries others added or changed since stay.
 * The record of that write must be the one aws-auth's last-write annotation names, and a request id
 * already applied on this aws-auth is not applied again (a retried invoke); the rollback is itself a
 * write with its own record, so a deliberate second rollback undoes the first.
 */
export async function rollbackCluster(
  deps: SyncDeps,
  cluster: ClusterConfig,
  requestId: string,
): Promise<ClusterResult> {
  const refused = (reason: string) => emptyResult(cluster.name, 'refused', reason);
  try {
    const store = await deps.clusters.awsAuth(cluster);
    for (let attempt = 1; ; attempt++) {
      const current = await store.read();
      if (!current.exists) return refused('there is no aws-auth to roll back');
      if (appliedRequests(current.annotations).includes(requestId)) {
        return emptyResult(
          cluster.name,
          'unchanged',
          `rollback request ${requestId} was applied already; nothing done again`,
        );
      }
      const text = await store.readBackup();
      const bound = current.annotations[lastWriteAnnotation];
      if (text === undefined || bound === undefined)
        return refused('no record of a write of this tool is kept for this aws-auth');
      if (writeRecordId(text) !== bound) {
        return refused(
          `the kept record is not the one of the last write on this aws-auth (${lastWriteAnnotation}: ${bound}); nothing undone`,
        );
      }
      const record = readWriteRecord(text);
      if (record.tooLarge)
        return refused('the last write changed too many entries to keep a record of it; nothing undone');
      const undo = undoWrite(current, record);
      const next = encodeWriteRecord({ changes: undo.undone });
      const annotations = {
        ...current.annotations,
        [ownedAnnotation]: undo.ownership,
        [lastWriteAnnotation]: next.id,
        [rollbackRequestsAnnotation]: withAppliedRequest(current.annotations, requestId),
      };
      await store.saveBackup(next.text);
      try {
        await store.write(current, undo.data, annotations);
      } catch (error) {
        if (error instanceof WriteConflictError && attempt < (deps.maxAttempts ?? 6)) continue;
        throw error;
      }
      return summarize(cluster.name, undo);
    }
  } catch (error) {
    if (error instanceof WriteRecordError || error instanceof AwsAuthParseError)
      return refused(error.message);
    return emptyResult(cluster.name, 'error', (error as Error).message);
  }
}

function summarize(cluster: string, undo: ReturnType<typeof undoWrite>): ClusterResult {
  const result = emptyResult(cluster, 'updated');
  const changes = undo.undone.map((c) => ({ ...c, key: c.arn }));
  for (const change of changes) {
    if (!change.before) result.added.push(change.arn);
    else if (!change.after) result.removed.push(change.arn);
    else result.changed.push(change.arn);
  }
  result.conflicts = undo.conflicts.map((c) => `${c.arn}: ${c.why}`);
  result.diff = [
    ...describePlan({ changes, conflicts: [], drifted: [], ignoredClaims: [], unwritable: [], withheld: [] }),
    ...undo.conflicts.map((c) => `! ${c.section} ${c.arn}: ${c.why}`),
  ];
  result.reason =
    `undid ${undo.undone.length} change(s) of the last write; ` +
    `${undo.conflicts.length} entr${undo.conflicts.length === 1 ? 'y' : 'ies'} changed since kept as they are, ` +
    'and every entry others added since';
  return result;
}
