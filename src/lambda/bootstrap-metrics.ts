import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BootstrapResult } from '../app/bootstrap/bootstrap-ports';
import { metrics } from './metrics';

/**
 * One count per bootstrap outcome that someone may want on a dashboard or an alarm: clusters set up,
 * looks put off until the cluster is ACTIVE, clusters given up on (their work went to the DLQ),
 * and runs that failed.
 */
const counted: Partial<Record<BootstrapResult['status'], string>> = {
  bootstrapped: 'ClustersBootstrapped',
  waiting: 'BootstrapRechecks',
  'gave-up': 'BootstrapsGivenUp',
  failed: 'BootstrapsFailed',
};

export function recordBootstrapMetrics(
  result: BootstrapResult,
  sink: Pick<Metrics, 'addMetric'> = metrics,
): void {
  const name = counted[result.status];
  if (name) sink.addMetric(name, MetricUnit.Count, 1);
}
