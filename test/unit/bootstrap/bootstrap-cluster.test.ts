import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DescribeClusterCommand,
} from '@aws-sdk/client-eks';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eksClusters } from '../../../src/adapters/eks-clusters';
import { recheckQueue } from '../../../src/adapters/recheck-queue';
import type { BootstrapDeps, ExternalUserOutcome } from '../../../src/app/bootstrap/bootstrap-ports';
import type { IamDirectory } from '../../../src/app/ports';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { bootstrapClusterHandler } from '../../../src/lambda/bootstrap-handler';
import { fakeClusterObjects } from '../../support/bootstrap-fakes';
import { type FakeCluster, type FakeEks, fakeEks } from '../../support/fake-eks';
import { memoryClusters } from '../../support/memory-clusters';

const root = resolve(import.meta.dirname, '../../..');
const createEvent = JSON.parse(readFileSync(resolve(root, 'events/eks-create-cluster.json'), 'utf8'));
const created = new Date(createEvent.detail.eventTime);
const functionRole = 'arn:aws:iam::123456789012:role/eks-access-sync-dev-us-east-1-lambdaRole';
const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;
const minutes = (m: number) => new Date(created.getTime() + m * 60_000);

const config = (backend = 'auto') =>
  parseAccessConfig(`
clusters:
  - name: sandbox
    region: us-east-1
    backend: ${backend}
groups:
  - iamGroup: eks-developers
    kubernetesGroups: [developers, cluster-reader]
externalUsers:
  - name: partner-ci
    clusterRole: cluster-reader
bootstrap:
  selectors:
    - namePattern: team-*
      tags: { eks-access-sync: managed }
  rbac:
    clusterRoles:
      - name: cluster-reader
        rules: [{ apiGroups: [''], resources: [pods], verbs: [get, list, watch] }]
    bindings:
      - group: cluster-reader
        clusterRole: cluster-reader
      - group: developers
        clusterRole: cluster-reader
        namespaces: [dev]
`);

const iam: IamDirectory = {
  groupMembers: async () => [{ userName: 'dan', arn: 'arn:aws:iam::123456789012:user/dan' }],
  userGroups: async () => undefined,
};

let eks: FakeEks;
const sqs = mockClient(SQSClient);
beforeEach(() => {
  sqs.reset();
  sqs.on(GetQueueUrlCommand).callsFake(({ QueueName }) => ({ QueueUrl: queueUrl(QueueName) }));
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});
afterEach(() => eks?.restore());
afterAll(() => sqs.restore());

function world(options: {
  clusters: Record<string, FakeCluster | FakeCluster[]>;
  backend?: string;
  accepts?: () => boolean;
}) {
  eks = fakeEks({ clusters: options.clusters });
  const clusters = memoryClusters(eks.calls);
  const objects = fakeClusterObjects(options.accepts);
  const issued = new Set<string>();
  const now = { value: minutes(0.5) };
  const cfg = config(options.backend);
  const aws = { credentials: { accessKeyId: 'k', secretAccessKey: 's' } };
  const access = {
    ...clusters.access,
    endpoint: async () => ({ server: 'https://example.invalid', caData: 'Q0E=', token: 'not-a-real-token' }),
  };
  const deps: BootstrapDeps = {
    config: cfg,
    eks: eksClusters(aws),
    clusters: access,
    kubernetes: () => objects.kube,
    recheck: recheckQueue(new SQSClient({ region: 'us-east-1', ...aws }), {
      recheck: 'eks-access-sync-dev-bootstrap-recheck',
      deadLetter: 'eks-access-sync-dev-bootstrap-dead-letter',
    }),
    sync: { config: cfg, iam, clusters: access, eks: eksClusters(aws), sleep: async () => {} },
    externalUsers: async (_config, cluster): Promise<ExternalUserOutcome[]> => {
      const status = issued.has(cluster) ? 'unchanged' : 'issued';
      issued.add(cluster);
      return [{ user: 'partner-ci', status }];
    },
    secrets: { listManaged: async () => [], scheduleDeletion: async () => {} },
    functionPrincipal: async () => functionRole,
    clock: { now: () => now.value },
    sleep: async () => {},
  };
  const handle = bootstrapClusterHandler(() => deps);
  const sent = () =>
    sqs.commandCalls(SendMessageCommand).map((c) => ({
      QueueUrl: c.args[0].input.QueueUrl,
      DelaySeconds: c.args[0].input.DelaySeconds,
      body: JSON.parse(c.args[0].input.MessageBody ?? '{}'),
    }));
  const recheckEvent = (body: unknown, messageId = 'r1') => ({
    Records: [{ messageId, eventSource: 'aws:sqs', body: JSON.stringify(body) }],
  });
  const recheckEventBody = () => ({
    kind: 'eks-access-sync/bootstrap-recheck',
    cluster: { name: 'sandbox', region: 'us-east-1', accountId: '123456789012' },
    attempt: 2,
    firstSeenAt: created.toISOString(),
    why: 'CreateCluster test',
  });
  return { eks, clusters, objects, now, handle, sent, recheckEvent, recheckEventBody };
}

describe('bootstrapCluster', () => {
  it('looks again through its delay queue while the cluster is CREATING, then bootstraps it once ACTIVE', async () => {
    // Prepare
    const w = world({
      clusters: {
        sandbox: [{ status: 'CREATING' }, { status: 'ACTIVE', authenticationMode: 'API_AND_CONFIG_MAP' }],
      },
    });

    // Act: the CloudTrail event, 30 s after CreateCluster
    const first = await w.handle(createEvent);

    // Assess: no waiting inside the invocation; one delayed message that carries the attempt
    expect(first).toMatchObject({
      status: 'waiting',
      clusterStatus: 'CREATING',
      recheck: { attempt: 2, delaySeconds: 300 },
    });
    expect(w.sent()).toEqual([
      {
        QueueUrl: queueUrl('eks-access-sync-dev-bootstrap-recheck'),
        DelaySeconds: 300,
        body: {
          kind: 'eks-access-sync/bootstrap-recheck',
          cluster: {
            name: 'sandbox',
            region: 'us-east-1',
            accountId: '123456789012',
            tags: { team: 'platform', 'eks-access-sync': 'managed' },
          },
          attempt: 2,
          firstSeenAt: '2026-11-22T11:00:05.000Z',
          why: 'CreateCluster 5d7f9b21-0000-4000-8000-00000000c001',
          lastReason: 'cluster is CREATING',
        },
      },
    ]);

    // Act: the message comes back five minutes later; the cluster is ACTIVE now
    w.now.value = minutes(5.5);
    const second = await w.handle(w.recheckEvent(w.sent()[0]?.body));

    // Assess
    expect(second).toMatchObject({
      batchItemFailures: [],
      results: [
        {
          status: 'bootstrapped',
          clusterStatus: 'ACTIVE',
          authenticationMode: 'API_AND_CONFIG_MAP',
          selfAccess: 'granted',
          rbac: {
            created: [
              'Namespace dev',
              'ClusterRole cluster-reader',
              'ClusterRoleBinding eks-access-sync:group:cluster-reader:cluster-reader',
              'RoleBinding dev/eks-access-sync:group:developers:cluster-reader',
            ],
          },
          mappings: { status: 'updated', added: ['arn:aws:iam::123456789012:user/dan'] },
          externalUsers: [{ user: 'partner-ci', status: 'issued' }],
        },
      ],
    });
    expect(w.eks.calls.slice(0, 2)).toEqual([
      `CreateAccessEntry ${functionRole}`,
      `AssociateAccessPolicy ${functionRole} AmazonEKSClusterAdminPolicy`,
    ]);
    expect(w.eks.entries('sandbox').find((e) => e.principalArn === functionRole)?.tags).toEqual({
      'eks-access-sync.io/self-access': 'true',
    });
    // The creator (PlatformAdmin, from the event) is given nothing.
    expect(w.eks.calls.some((c) => c.includes('PlatformAdmin'))).toBe(false);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('changes nothing more on a repeated or duplicated event', async () => {
    // Prepare
    const w = world({
      clusters: { sandbox: { status: 'ACTIVE', authenticationMode: 'API_AND_CONFIG_MAP' } },
    });
    await w.handle(createEvent);
    const writes = w.eks.calls.length;

    // Act
    const again = await w.handle(createEvent);

    // Assess
    expect(again).toMatchObject({
      status: 'unchanged',
      selfAccess: 'present',
      rbac: { created: [], updated: [], unchanged: 4 },
      mappings: { status: 'unchanged' },
      externalUsers: [{ status: 'unchanged' }],
    });
    expect(w.eks.calls.length).toBe(writes);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('gives up when the cluster is still not ACTIVE 45 minutes after its creation: the dead-letter queue has it', async () => {
    // Prepare
    const w = world({ clusters: { sandbox: { status: 'CREATING' } } });
    const look = { ...w.recheckEventBody(), attempt: 10 };

    // Act: one look just before the limit, one at it
    w.now.value = minutes(44.8);
    const late = await w.handle(w.recheckEvent(look));
    w.now.value = minutes(45);
    const last = await w.handle(w.recheckEvent({ ...look, attempt: 11 }));

    // Assess: a last, shorter delay up to the limit; then no more looks, the dead-letter queue instead
    expect(late).toMatchObject({
      results: [{ status: 'waiting', recheck: { attempt: 11, delaySeconds: 12 } }],
    });
    expect(last).toMatchObject({ results: [{ status: 'gave-up' }], batchItemFailures: [] });
    const [, dead] = w.sent();
    expect(dead?.QueueUrl).toBe(queueUrl('eks-access-sync-dev-bootstrap-dead-letter'));
    expect(dead?.DelaySeconds).toBeUndefined();
    expect(dead?.body).toMatchObject({ attempt: 11, cluster: { name: 'sandbox' } });
    expect(dead?.body.lastReason).toMatch(
      /still not done 45 min after the cluster was created \(attempt 11; limit 45 min\)/,
    );
  });

  it('fails in CONFIG_MAP mode when the cluster does not let it in, naming the cluster, its mode and the command', async () => {
    // Prepare
    const w = world({
      clusters: { sandbox: { status: 'ACTIVE' } },
      backend: 'configMap',
      accepts: () => false,
    });

    // Act
    const result = await w.handle(createEvent);

    // Assess
    expect(result).toMatchObject({
      status: 'failed',
      authenticationMode: 'CONFIG_MAP',
      recheck: { attempt: 2 },
    });
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('cluster sandbox (us-east-1) uses authenticationMode CONFIG_MAP');
    expect(reason).toContain(
      'aws eks update-cluster-config --region us-east-1 --name sandbox --access-config authenticationMode=API_AND_CONFIG_MAP',
    );
    expect(reason).toContain(
      `eksctl create iamidentitymapping --region us-east-1 --cluster sandbox --arn ${functionRole}`,
    );
    expect(w.eks.mock.commandCalls(CreateAccessEntryCommand)).toHaveLength(0);
    expect(w.clusters.awsAuth('sandbox')).toBeUndefined();
  });

  it('goes on in CONFIG_MAP mode when the cluster already lets it in, and never adds the creator to aws-auth', async () => {
    const w = world({ clusters: { sandbox: { status: 'ACTIVE' } }, backend: 'auto' });

    const result = await w.handle(createEvent);

    expect(result).toMatchObject({
      status: 'bootstrapped',
      selfAccess: 'present',
      mappings: { status: 'updated' },
    });
    const arns = parseAwsAuth(w.clusters.awsAuth('sandbox')?.data ?? {}).entries.map((e) => e.arn);
    expect(arns).toEqual(['arn:aws:iam::123456789012:user/dan']);
  });

  it('keeps an access entry the function already has (it created the cluster) and only completes it', async () => {
    const w = world({ clusters: { sandbox: { status: 'ACTIVE', authenticationMode: 'API' } } });
    w.eks.seed(
      'sandbox',
      { principalArn: functionRole },
      { AmazonEKSClusterAdminPolicy: { type: 'cluster' } },
    );

    const result = await w.handle(createEvent);

    expect(result).toMatchObject({ selfAccess: 'present' });
    expect(w.eks.mock.commandCalls(CreateAccessEntryCommand, { principalArn: functionRole })).toHaveLength(0);
    expect(
      w.eks.mock.commandCalls(AssociateAccessPolicyCommand, { principalArn: functionRole }),
    ).toHaveLength(0);
  });

  it('looks again later when EKS has not applied its new access entry yet', async () => {
    const w = world({
      clusters: { sandbox: { status: 'ACTIVE', authenticationMode: 'API' } },
      accepts: () => false,
    });

    const result = await w.handle(createEvent);

    expect(result).toMatchObject({ status: 'failed', recheck: { attempt: 2 } });
    expect(result).not.toHaveProperty('selfAccess');
    expect((result as { reason: string }).reason).toMatch(/granted; EKS has not applied it yet/);
  });

  it('bootstraps a cluster a selector matches by the tags it was created with, and ignores one without them', async () => {
    // Prepare
    const w = world({
      clusters: {
        'team-a': { status: 'ACTIVE', authenticationMode: 'API', tags: { 'eks-access-sync': 'managed' } },
        'team-b': { status: 'ACTIVE', authenticationMode: 'API' },
      },
    });
    const event = (name: string) => ({
      ...createEvent,
      detail: {
        ...createEvent.detail,
        requestParameters: { ...createEvent.detail.requestParameters, name, tags: {} },
      },
    });

    // Act
    const a = await w.handle(event('team-a'));
    const b = await w.handle(event('team-b'));

    // Assess
    expect(a).toMatchObject({
      status: 'bootstrapped',
      managedBy: 'bootstrap selector 0 (namePattern team-*)',
      mappings: { cluster: 'team-a', status: 'updated' },
    });
    expect(w.eks.entries('team-a').map((e) => e.principalArn)).toContain(
      'arn:aws:iam::123456789012:user/dan',
    );
    expect(b).toMatchObject({ status: 'ignored' });
    expect(w.eks.entries('team-b')).toEqual([]);
  });

  it('ignores a cluster the config does not manage without asking EKS, and one whose creation failed', async () => {
    const w = world({ clusters: { sandbox: { status: 'FAILED' } } });
    const other = {
      ...createEvent,
      detail: { ...createEvent.detail, requestParameters: { name: 'elsewhere' } },
    };

    const unmanaged = await w.handle(other);
    expect(w.eks.mock.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    const failed = await w.handle(createEvent);

    expect(unmanaged).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/not listed/) });
    expect(failed).toMatchObject({ status: 'ignored', reason: 'cluster is FAILED: nothing to bootstrap' });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('reports a re-check it could not schedule as a batch item failure, so SQS retries that message', async () => {
    const w = world({ clusters: { sandbox: { status: 'CREATING' } } });
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));

    const result = await w.handle(w.recheckEvent(w.recheckEventBody(), 'm-7'));

    expect(result).toMatchObject({ results: [], batchItemFailures: [{ itemIdentifier: 'm-7' }] });
  });
});
