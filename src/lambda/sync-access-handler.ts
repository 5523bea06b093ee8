import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type FleetReport, fleetView } from '../app/fleet/fleet-view';
import { type SyncAccessDeps, type SyncSummary, syncAccess } from '../app/sync/sync-access';
import type { SyncCommand } from '../app/sync/sync-command';
import { logger } from './logger';
import { metrics, recordRejectedEvents, recordSyncMetrics } from './metrics';
import { isSqsBatch, syncBatchFrom } from './sync-batch';
import { InvalidEventError, syncCommandFrom } from './sync-events';

export type SyncAccessResult =
  | (SyncSummary & { ignored?: string[]; rejected?: { messageId: string; reason: string }[] })
  | { ignored: string | string[]; rejected?: { messageId: string; reason: string }[] }
  | { rejected: string }
  | FleetReport;

/** Event in, JSON summary out; deps are built on first use so a cold start does no I/O it need not. */
export function syncAccessHandler(deps: () => SyncAccessDeps, sink: Pick<Metrics, 'addMetric'> = metrics) {
  let built: SyncAccessDeps | undefined;
  return async function handle(event: unknown): Promise<SyncAccessResult> {
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
        const single = syncCommandFrom(event);
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
        withheld: result.withheld.length,
        ...(result.reason ? { reason: result.reason } : {}),
      });
    }
    for (const place of summary.unreachablePlaces ?? []) logger.warn('fleet place unreachable', { ...place });
    recordSyncMetrics(summary, sink);
    const failed = summary.clusters.filter((c) => c.status === 'error');
    if (isSqsBatch(event) && failed.length > 0) {
      // Queued events are retried by SQS (then dead-lettered); the summary above is already logged.
      throw new SyncIncompleteError(
        `aws-auth not synced on ${failed.map((c) => c.cluster).join(', ')}; the batch will be retried`,
      );
    }
    return summary;
  };
}

/** Some clusters could not be synced for a queued batch: thrown so that SQS retries it. */
export class SyncIncompleteError extends Error {
  override name = 'SyncIncompleteError';
}
