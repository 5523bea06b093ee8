import type { MembershipChange, SyncCommand } from '../app/sync/sync-command';
import { iamNameKey } from '../domain/aws-auth/iam-groups';
import { InvalidEventError, syncCommandFrom } from './sync-events';

export interface SyncBatch {
  /** One command for the whole batch, or none when every record was ignored or rejected. */
  command?: SyncCommand;
  ignored: string[];
  rejected: { messageId: string; reason: string }[];
}

interface SqsRecord {
  messageId?: unknown;
  body?: unknown;
  eventSource?: unknown;
}

export function isSqsBatch(event: unknown): event is { Records: SqsRecord[] } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.every((r) => (r as SqsRecord)?.eventSource === 'aws:sqs');
}

/**
 * IAM events queued in SQS (EventBridge → SQS → this function, in batches): the membership changes
 * of a whole batch become one command, so a directory sync adding a team costs one read and one
 * write per cluster instead of one per event. Any reconcile in the batch covers everything in it.
 */
export function syncBatchFrom(event: { Records: SqsRecord[] }): SyncBatch {
  const changes: MembershipChange[] = [];
  const reconcileWhy: string[] = [];
  const batch: SyncBatch = { ignored: [], rejected: [] };
  for (const record of event.Records) {
    const messageId = typeof record.messageId === 'string' ? record.messageId : '(no messageId)';
    try {
      const body = typeof record.body === 'string' ? (JSON.parse(record.body) as unknown) : undefined;
      const command = syncCommandFrom(body);
      if ('ignored' in command) batch.ignored.push(command.ignored);
      else if (command.kind === 'membership') changes.push(...command.changes);
      else if (command.kind === 'reconcile' && command.apply && !command.clusters)
        reconcileWhy.push(command.why);
      else throw new InvalidEventError('manual plan, apply and rollback are invoked directly, not queued');
    } catch (error) {
      if (!(error instanceof InvalidEventError) && !(error instanceof SyntaxError)) throw error;
      batch.rejected.push({ messageId, reason: error.message });
    }
  }
  if (reconcileWhy.length > 0) {
    batch.command = { kind: 'reconcile', apply: true, force: false, why: reconcileWhy.join(', ') };
  } else if (changes.length > 0) {
    const why = `${changes.length} membership change${changes.length === 1 ? '' : 's'}`;
    batch.command = { kind: 'membership', changes: distinct(changes), why };
  }
  return batch;
}

/** One change per user and group as IAM names them (case-insensitively): `Dan` in `Devs` is `dan` in `devs`. */
function distinct(changes: readonly MembershipChange[]): MembershipChange[] {
  const seen = new Map<string, MembershipChange>();
  for (const change of changes) {
    const key = `${iamNameKey(change.userName)}\n${iamNameKey(change.group)}`;
    if (!seen.has(key)) seen.set(key, change);
  }
  return [...seen.values()];
}
