import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapCluster } from '../../../src/app/bootstrap/bootstrap-cluster';
import type { BootstrapDeps } from '../../../src/app/bootstrap/bootstrap-ports';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { secretTags } from '../../../src/domain/rotation/rotation-ownership';
import { bootstrapCommandFrom, recheckCommandFrom } from '../../../src/lambda/bootstrap-events';
import { bootstrapClusterHandler } from '../../../src/lambda/bootstrap-handler';
import { InvalidEventError } from '../../../src/lambda/sync-events';
import { fakeSecrets } from '../../support/bootstrap-fakes';

const root = resolve(import.meta.dirname, '../../..');
const load = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8')) as unknown;
const now = new Date('2026-11-22T12:00:00Z');

describe('bootstrapCluster events', () => {
  it('reads the CloudTrail CreateCluster event: name, region, account, creation tags and time', () => {
    expect(bootstrapCommandFrom(load('events/eks-create-cluster.json'), () => now)).toEqual({
      kind: 'bootstrap',
      cluster: {
        name: 'sandbox',
        region: 'us-east-1',
        accountId: '123456789012',
        tags: { team: 'platform', 'eks-access-sync': 'managed' },
      },
      attempt: 1,
      firstSeenAt: new Date('2026-11-22T11:00:05Z'),
      why: 'CreateCluster 5d7f9b21-0000-4000-8000-00000000c001',
    });
  });

  it('reads DeleteCluster as a cleanup and a manual invoke as a bootstrap of an existing cluster', () => {
    expect(bootstrapCommandFrom(load('events/eks-delete-cluster.json'), () => now)).toMatchObject({
      kind: 'cleanup',
      cluster: { name: 'sandbox', region: 'us-east-1', accountId: '123456789012' },
    });
    expect(bootstrapCommandFrom(load('events/bootstrap-manual.json'), () => now)).toEqual({
      kind: 'bootstrap',
      cluster: { name: 'sandbox', region: 'us-east-1' },
      attempt: 1,
      firstSeenAt: now,
      why: 'manual bootstrap',
    });
  });

  it('ignores a CreateCluster that failed in EKS', () => {
    const event = load('events/eks-create-cluster.json') as { detail: Record<string, unknown> };
    expect(
      bootstrapCommandFrom(
        { ...event, detail: { ...event.detail, errorCode: 'ResourceInUseException' } },
        () => now,
      ),
    ).toEqual({ ignored: 'CreateCluster failed in EKS (ResourceInUseException); nothing to do' });
  });

  it.each([
    ['an IAM event', load('events/iam-add-user-to-group.json'), /not an event bootstrapCluster handles/],
    ['a manual invoke without a region', { cluster: 'sandbox' }, /manual invoke: region/],
    [
      'a manual invoke with an unknown key',
      { cluster: 'sandbox', region: 'us-east-1', force: true },
      /manual invoke/,
    ],
  ])('rejects %s with a clear message', (_case, event, message) => {
    expect(() => bootstrapCommandFrom(event, () => now)).toThrow(InvalidEventError);
    expect(() => bootstrapCommandFrom(event, () => now)).toThrow(message);
  });

  it('reads a re-check message back as the look it asks for', () => {
    expect(
      recheckCommandFrom({
        kind: 'eks-access-sync/bootstrap-recheck',
        cluster: { name: 'sandbox', region: 'us-east-1' },
        attempt: 3,
        firstSeenAt: '2026-11-22T11:00:05.000Z',
        why: 'CreateCluster x',
      }),
    ).toEqual({
      kind: 'bootstrap',
      cluster: { name: 'sandbox', region: 'us-east-1' },
      attempt: 3,
      firstSeenAt: new Date('2026-11-22T11:00:05Z'),
      why: 'CreateCluster x',
    });
    expect(() => recheckCommandFrom({ kind: 'something-else' })).toThrow(InvalidEventError);
  });

  it('drops a queued message it cannot read instead of letting SQS retry it forever', async () => {
    const handle = bootstrapClusterHandler(() => {
      throw new Error('no dependencies needed to reject');
    });

    const result = await handle({
      Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: '{"kind":"nope"}' }],
    });

    expect(result).toMatchObject({ results: [], batchItemFailures: [], rejected: [{ messageId: 'm1' }] });
  });
});

describe('cleanup after DeleteCluster', () => {
  const config = parseAccessConfig(`
clusters: [{ name: sandbox, region: us-east-1 }]
bootstrap: { secretRecoveryDays: 14 }
`);
  const secret = (name: string, tags: Record<string, string>) => ({
    arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
    name,
    tags,
    stages: {},
    deleted: false,
  });

  it('schedules the deletion of the secrets the tool stored for the cluster, and only those', async () => {
    // Prepare
    const secrets = fakeSecrets([
      secret(
        'eks-access-sync/sandbox/partner-ci',
        secretTags({ name: 'partner-ci', namespace: 'x' }, 'sandbox'),
      ),
      secret('eks-access-sync/prod/partner-ci', secretTags({ name: 'partner-ci', namespace: 'x' }, 'prod')),
      secret('eks-access-sync/sandbox/hand-made', {}),
    ]);
    const run = bootstrapCluster({ config, secrets: secrets.store } as unknown as BootstrapDeps);
    const command = {
      kind: 'cleanup',
      cluster: { name: 'sandbox', region: 'us-east-1' },
      why: 'test',
    } as const;

    // Act
    const first = await run(command);
    const again = await run(command);

    // Assess
    expect(first).toMatchObject({
      status: 'cleaned',
      secrets: { scheduledForDeletion: ['eks-access-sync/sandbox/partner-ci'], recoveryWindowDays: 14 },
    });
    expect(secrets.scheduled).toEqual([
      {
        secretId:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:eks-access-sync/sandbox/partner-ci-AbCdEf',
        days: 14,
      },
    ]);
    expect(again).toMatchObject({ status: 'unchanged', secrets: { scheduledForDeletion: [] } });
  });

  it('leaves the secrets of a namesake cluster in another region alone', async () => {
    const secrets = fakeSecrets([
      secret('eks-access-sync/sandbox/partner-ci', secretTags({ name: 'p', namespace: 'x' }, 'sandbox')),
    ]);
    const run = bootstrapCluster({ config, secrets: secrets.store } as unknown as BootstrapDeps);

    const result = await run({
      kind: 'cleanup',
      cluster: { name: 'sandbox', region: 'eu-west-1' },
      why: 'test',
    });

    expect(result.status).toBe('ignored');
    expect(secrets.scheduled).toEqual([]);
  });
});
