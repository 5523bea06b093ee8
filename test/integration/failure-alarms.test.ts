import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, packagedTemplate } from '../support/packaged-template';

/** The alarms `serverless package` generates for what a run cannot do without throwing (issue 16). */
describe('the alarms on failed, refused and withheld syncs and on rejected events', () => {
  let template: CfnTemplate;
  beforeAll(async () => {
    template = await packagedTemplate([
      '--stage',
      'alarms',
      '--region',
      'eu-west-1',
      '--param=accessConfig=examples/sandbox/access.yaml',
      // The example's readers need the stage's customer-managed key.
      '--param=secretsKmsKeyArn=arn:aws:kms:eu-west-1:111122223333:key/0123abcd-0123-4567-89ab-0123456789ab',
    ]);
  }, 240_000);

  /** The alarm watching a metric of the tool's own namespace, by metric name. */
  const alarmOn = (metric: string) =>
    Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        r.Properties?.Namespace === 'EksAccessSync' &&
        r.Properties?.MetricName === metric,
    );

  it.each(['ClustersFailed', 'ClustersRefused', 'RemovalsWithheld', 'EventsRejected', 'PlacesUnreachable'])(
    'pages on the first %s, on the dimension the functions publish it with',
    (metric) => {
      const alarms = alarmOn(metric);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({
        // Powertools adds the service as a dimension: POWERTOOLS_SERVICE_NAME of every function.
        Dimensions: [{ Name: 'service', Value: 'eks-access-sync' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    },
  );

  it('publishes under the service name the alarms watch, from every function', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(3);
    for (const fn of functions) {
      const environment = fn.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
      const variables = environment?.Variables ?? {};
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe('eks-access-sync');
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('EksAccessSync');
    }
  });
});
