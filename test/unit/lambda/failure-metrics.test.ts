import { describe, expect, it } from 'vitest';
import { arnKey } from '../../../src/domain/arn';
import { encodeOwnership, entryDigest, ownedAnnotation } from '../../../src/domain/aws-auth/ownership';
import { bootstrapClusterHandler } from '../../../src/lambda/bootstrap-handler';
import { rotateTokensHandler } from '../../../src/lambda/rotate-tokens-handler';
import { syncAccessHandler } from '../../../src/lambda/sync-access-handler';
import { oneClusterWorld } from '../../support/one-cluster-world';

/** A metrics sink that keeps what was added, summed by name. */
function recordingSink() {
  const added = new Map<string, number>();
  return {
    added,
    // Metrics.addMetric returns the Metrics for chaining; nothing here chains.
    addMetric: (name: string, _unit: unknown, value: number) =>
      added.set(name, (added.get(name) ?? 0) + value) as never,
  };
}

const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
const neverBuilt = () => {
  throw new Error('a rejected event must not build the dependencies');
};

describe('no silent failure: what a sync could not do is counted (issue 16)', () => {
  it('counts a refused cluster and the removals withheld from people who left their group', async () => {
    // Prepare: the tool owns four users; IAM now says the group is empty, so all four would go.
    const users = ['ann', 'bob', 'cid', 'dee'].map((u) => `arn:aws:iam::111122223333:user/${u}`);
    const world = oneClusterWorld(
      { mapUsers: users.map((arn) => `- userarn: ${arn}\n  username: u\n  groups: [developers]\n`).join('') },
      {
        [ownedAnnotation]: encodeOwnership({
          mapRoles: new Map(),
          mapUsers: new Map(
            users.map((arn) => [
              arnKey(arn),
              entryDigest({ section: 'mapUsers', arn, username: 'u', groups: ['developers'] }),
            ]),
          ),
        }),
      },
    );
    const sink = recordingSink();

    // Act
    const result = await syncAccessHandler(() => world.deps, sink)(scheduled);

    // Assess
    expect('clusters' in result && result.clusters.map((c) => c.status)).toEqual(['refused']);
    expect(sink.added.get('ClustersRefused')).toBe(1);
    expect(sink.added.get('RemovalsWithheld')).toBe(4);
    expect(sink.added.get('ClustersFailed')).toBe(0);
    expect(world.writes).toBe(0);
  });

  it('counts a cluster whose aws-auth cannot be parsed as refused', async () => {
    const world = oneClusterWorld({ mapRoles: '- rolearn: [unclosed\n' });
    const sink = recordingSink();

    await syncAccessHandler(() => world.deps, sink)(scheduled);

    expect(sink.added.get('ClustersRefused')).toBe(1);
    expect(sink.added.get('RemovalsWithheld')).toBe(0);
  });

  it('counts the records of a queued batch it rejects, and an invoke it cannot read', async () => {
    const sink = recordingSink();
    const handle = syncAccessHandler(neverBuilt, sink);
    const batch = {
      Records: [
        { messageId: 'm-1', eventSource: 'aws:sqs', body: '{not json' },
        { messageId: 'm-2', eventSource: 'aws:sqs', body: '[]' },
      ],
    };

    const batchResult = await handle(batch);
    const invokeResult = await handle({ action: 'destroy' });

    expect(batchResult).toMatchObject({ rejected: [{ messageId: 'm-1' }, { messageId: 'm-2' }] });
    expect(invokeResult).toMatchObject({ rejected: expect.any(String) });
    expect(sink.added.get('EventsRejected')).toBe(3);
  });

  it('counts events rotateTokens and bootstrapCluster reject', async () => {
    const sink = recordingSink();

    await rotateTokensHandler(neverBuilt, sink)({ user: 42 });
    await bootstrapClusterHandler(neverBuilt, sink)({ cluster: 7 });
    await bootstrapClusterHandler(
      neverBuilt,
      sink,
    )({
      Records: [{ messageId: 'r-1', eventSource: 'aws:sqs', body: '{"cluster": 7}' }],
    });

    expect(sink.added.get('EventsRejected')).toBe(3);
  });
});
