import { describe, expect, it } from 'vitest';
import type { BootstrapResult } from '../../../src/app/bootstrap/bootstrap-ports';
import { recordBootstrapMetrics } from '../../../src/lambda/bootstrap-metrics';

const result = (status: BootstrapResult['status']): BootstrapResult => ({
  cluster: 'team-a',
  region: 'eu-west-1',
  status,
  warnings: [],
});

describe('bootstrap metrics', () => {
  it('counts clusters bootstrapped, re-checks, give-ups and failures, and nothing else', () => {
    const emitted: [string, number][] = [];
    const sink = {
      addMetric: (name: string, _unit: unknown, value: number) => void emitted.push([name, value]),
    };

    for (const status of [
      'bootstrapped',
      'waiting',
      'waiting',
      'gave-up',
      'failed',
      'unchanged',
      'ignored',
      'cleaned',
    ] as const) {
      recordBootstrapMetrics(result(status), sink as never);
    }

    expect(emitted).toEqual([
      ['ClustersBootstrapped', 1],
      ['BootstrapRechecks', 1],
      ['BootstrapRechecks', 1],
      ['BootstrapsGivenUp', 1],
      ['BootstrapsFailed', 1],
    ]);
  });
});
