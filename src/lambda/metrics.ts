import { type Metrics, MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { RotateTokensSummary, StepSummary } from '../app/rotation/rotate-tokens';

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
