import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { type FleetReport, fleetView } from '../app/fleet/fleet-view';
import { clustersReached } from '../app/sync/clusters-reached';
import { type SyncAccessDeps, type SyncSummary, syncAccess } from '../app/sync/sync-access';
import type { SyncCommand } from '../app/sync/sync-command';
import { logger } from './logger';
import { metrics, recordRejectedEvents, recordSyncMetrics } from './metrics';
import { isSqsBatch, syncBatchFrom } from './sync-batch';
import { InvalidEventError, syncCommandFrom } from './sync-events';

export type SyncAccessResult =
  | (SyncSummary & {
      ignored?: string[];
      rejected?: { messageId: string; reason: string }[];
      /** Queued: SQS retries only these (ReportBatchItemFailures); the others are done. */
      batchItemFailures?: { itemIdentifier: string }[];
    })
  | { ignored: string | string[]; rejected?: { messageId: string; reason: string }[] }
  | { rejected: string }
  | FleetReport;

/** Event in, JSON summary out; deps are built on first use so a cold start does no I/O it need not. */
export function syncAccessHandler(deps: () => SyncAccessDeps, sink: Pick<Metrics, 'addMetric'> = metrics) {
  let built: SyncAccessDeps | undefined;
  return async function handle(
    event: unknown,
    context?: { awsRequestId?: string },
  ): Promise<SyncAccessResult> {
    let command: SyncCommand | undefined;
    let extra: { ignored?: string[]; rejected?: { messageId: string; reason: string }[] } = {};
    if (isSqsBatch(event)) {
      const batch = syncBatchFrom(event);
      // Rejected records are logged and dropped, not retried: they would fail the same way forever.
      for (const r of batch.rejected)
        logger.error('event rejected', { messageId: r.messageId, reason: r.reason });
      recordRejectedEvents(batch.rejected.length, sink);
      extra = { ignored: batch.ignored, rejected: batch.rejected };
      if (!batch.command) return { ignored: batch.ignored, rejected: batch.rejected };
      command = batch.command;
    } else {
      try {
        const single = syncCommandFrom(event, context?.awsRequestId);
        if ('ignored' in single) {
          logger.info('event ignored', { reason: single.ignored });
          return single;
        }
        if (single.kind === 'fleet') {
          built ??= deps();
          return await fleetView(built)(single.why);
        }
        command = single;
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        logger.error('event rejected', { reason: error.message });
        recordRejectedEvents(1, sink);
        return { rejected: error.message };
      }
    }
    built ??= deps();
    const summary = { ...(await syncAccess(built)(command)), ...extra };
    for (const result of summary.clusters) {
      const log = result.status === 'error' || result.status === 'refused' ? logger.warn : logger.info;
      log.call(logger, `aws-auth ${result.status}`, {
        why: summary.why,
        cluster: result.cluster,
        added: result.added.length,
        removed: result.removed.length,
        changed: result.changed.length,
        conflicts: result.conflicts.length,
        drifted: result.drifted.length,
        withheld: result.withheld.length,
        ...(result.reason ? { reason: result.reason } : {}),
      });
    }
    for (const place of summary.unreachablePlaces ?? []) logger.warn('fleet place unreachable', { ...place });
    recordSyncMetrics(summary, sink);
    if (!isSqsBatch(event)) return summary;
    const failed = summary.clusters.filter((c) => c.status === 'error').map((c) => c.cluster);
    return { ...summary, ...(await retryWhatFailed(event as SQSEvent, built, failed)) };
  };
}

/** A queued record whose change reaches a cluster that could not be synced: SQS delivers it again. */
export class SyncIncompleteError extends Error {
  override name = 'SyncIncompleteError';
}

/**
 * The whole batch was synced as one command (one write per cluster); Powertools' batch processor
 * then reports as failed only the records whose own change reaches a cluster that failed, so SQS
 * retries those (then dead-letters them) and not the rest. Rejected and ignored records are done.
 */
async function retryWhatFailed(event: SQSEvent, deps: SyncAccessDeps, failedClusters: string[]) {
  const failed = new Set(failedClusters);
  const retryIfFailed = async (record: SQSRecord) => {
    let command: ReturnType<typeof syncCommandFrom>;
    try {
      command = syncCommandFrom(JSON.parse(record.body));
    } catch {
      return; // rejected above: it would fail the same way forever
    }
    if ('ignored' in command || command.kind === 'fleet') return;
    const reached = clustersReached(deps.config, command).filter((c) => failed.has(c));
    if (reached.length > 0) {
      throw new SyncIncompleteError(`aws-auth not synced on ${reached.join(', ')}; SQS retries this record`);
    }
  };
  return processPartialResponse(event, retryIfFailed, new BatchProcessor(EventType.SQS), {
    // All records failing is still a partial response: SQS retries each, as it would the batch.
    throwOnFullBatchFailure: false,
  });
}
