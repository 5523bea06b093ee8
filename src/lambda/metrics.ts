import { type Metrics, MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { RotateTokensSummary, StepSummary } from '../app/rotation/rotate-tokens';
import type { SyncSummary } from '../app/sync/sync-access';

/** CloudWatch metrics through EMF (log lines, no API calls); the alarms in serverless/ read them. */
export const metrics = new PowertoolsMetrics({ namespace: 'EksAccessSync', serviceName: 'eks-access-sync' });

type MetricSink = Pick<Metrics, 'addMetric'>;

/**
 * Rotations done and failed, users offboarded, and the seconds left on the soonest token: the
 * alarm fires when that is less than the time to the next scheduled run.
 */
export function recordRotationMetrics(
  summary: RotateTokensSummary | StepSummary | { failedStep: string },
  now: Date,
  sink: MetricSink = metrics,
): void {
  if ('failedStep' in summary) {
    sink.addMetric('RotationsFailed', MetricUnit.Count, 1);
    return;
  }
  if (summary.trigger === 'step') {
    if (summary.step === 'finishSecret' && summary.status === 'done')
      sink.addMetric('RotationsDone', MetricUnit.Count, 1);
    return;
  }
  sink.addMetric(
    'RotationsDone',
    MetricUnit.Count,
    summary.users.filter((u) => u.status === 'rotated').length,
  );
  sink.addMetric(
    'RotationsFailed',
    MetricUnit.Count,
    summary.users.filter((u) => u.status === 'error').length,
  );
  const offboarded = summary.offboarded.reduce(
    (n, o) => n + (o.serviceAccounts?.length ?? 0) + (o.secrets?.length ?? 0),
    0,
  );
  sink.addMetric('ExternalUsersOffboarded', MetricUnit.Count, offboarded);
  if (summary.soonestExpiry) {
    const seconds = Math.round((Date.parse(summary.soonestExpiry) - now.getTime()) / 1000);
    sink.addMetric('SoonestTokenExpirySeconds', MetricUnit.Seconds, seconds);
  }
}

/**
 * What a sync changed, and what it could not do: clusters failed or refused, and removals withheld
 * (people who left and still have access until someone looks). Each has an alarm; none of them
 * throws, so without these a scheduled reconcile would fail in silence. What a scheduled reconcile
 * had to change is drift (a hand edit, or IAM events that never arrived): its own metric and alarm.
 */
export function recordSyncMetrics(summary: SyncSummary, sink: MetricSink = metrics): void {
  const count = (pick: (c: SyncSummary['clusters'][number]) => number) =>
    summary.clusters.reduce((n, c) => n + pick(c), 0);
  const applied = (c: SyncSummary['clusters'][number]) =>
    c.status === 'updated' ? c.added.length + c.removed.length + c.changed.length : 0;
  sink.addMetric('EntriesChanged', MetricUnit.Count, count(applied));
  if (summary.why === 'schedule') sink.addMetric('DriftFound', MetricUnit.Count, count(applied));
  sink.addMetric(
    'ClustersFailed',
    MetricUnit.Count,
    count((c) => (c.status === 'error' ? 1 : 0)),
  );
  sink.addMetric(
    'ClustersRefused',
    MetricUnit.Count,
    count((c) => (c.status === 'refused' ? 1 : 0)),
  );
  sink.addMetric(
    'RemovalsWithheld',
    MetricUnit.Count,
    count((c) => c.withheld.length),
  );
  recordUnreachablePlaces(summary.unreachablePlaces?.length ?? 0, sink);
}

/** Accounts and regions the fleet could not be listed in: their clusters wait until each answers (alarm). */
export function recordUnreachablePlaces(count: number, sink: MetricSink = metrics): void {
  sink.addMetric('PlacesUnreachable', MetricUnit.Count, count);
}

/** Events no function could read: they are dropped, not retried, so only this metric tells. */
export function recordRejectedEvents(count: number, sink: MetricSink = metrics): void {
  if (count > 0) sink.addMetric('EventsRejected', MetricUnit.Count, count);
}
