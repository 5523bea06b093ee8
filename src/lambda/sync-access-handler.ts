import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type SyncAccessDeps, type SyncSummary, syncAccess } from '../app/sync/sync-access';
import type { SyncCommand } from '../app/sync/sync-command';
import { logger } from './logger';
import { metrics } from './metrics';
import { isSqsBatch, syncBatchFrom } from './sync-batch';
import { InvalidEventError, syncCommandFrom } from './sync-events';

export type SyncAccessResult =
  | (SyncSummary & { ignored?: string[]; rejected?: { messageId: string; reason: string }[] })
  | { ignored: string | string[]; rejected?: { messageId: string; reason: string }[] }
  | { rejected: string };

/** Event in, JSON summary out; deps are built on first use so a cold start does no I/O it need not. */
export function syncAccessHandler(deps: () => SyncAccessDeps) {
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
        command = single;
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        logger.error('event rejected', { reason: error.message });
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
    recordMetrics(summary);
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

/**
 * What a scheduled reconcile had to change is drift: entries edited by hand, or IAM events that
 * never arrived. Both deserve a look, so drift has its own metric and alarm.
 */
function recordMetrics(summary: SyncSummary): void {
  const changed = (c: SyncSummary['clusters'][number]) =>
    c.added.length + c.removed.length + c.changed.length;
  const applied = summary.clusters.filter((c) => c.status === 'updated');
  metrics.addMetric(
    'EntriesChanged',
    MetricUnit.Count,
    applied.reduce((n, c) => n + changed(c), 0),
  );
  if (summary.why === 'schedule') {
    metrics.addMetric(
      'DriftFound',
      MetricUnit.Count,
      applied.reduce((n, c) => n + changed(c), 0),
    );
  }
  metrics.addMetric(
    'ClustersFailed',
    MetricUnit.Count,
    summary.clusters.filter((c) => c.status === 'error').length,
  );
  metrics.addMetric(
    'ClustersRefused',
    MetricUnit.Count,
    summary.clusters.filter((c) => c.status === 'refused').length,
  );
}
