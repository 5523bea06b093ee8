import { describe, expect, it } from 'vitest';
import type { AwsAuthStore, ClusterAccess } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { nodeRoles, syncFixture } from '../../support/sync-fixture';
import { injects } from './fault-count';

type Fixture = Awaited<ReturnType<typeof syncFixture>>;
const apply = { kind: 'reconcile', apply: true, force: false, why: 'fault: 409 storm' } as const;
const arnsOf = (data: Record<string, string> | undefined) =>
  parseAwsAuth(data ?? {}).entries.map((e) => e.arn);

/**
 * Another writer edits aws-auth through the real API just before each of our writes, for the
 * first `storms` writes on each cluster: every one of them must get a 409 from the apiserver.
 */
function stormyClusters(f: Fixture, inner: ClusterAccess, storms: number) {
  const edits: { cluster: string; arn: string }[] = [];
  const writes = new Map<string, number>();
  const clusters: ClusterAccess = {
    endpoint: (c) => inner.endpoint(c),
    async awsAuth(cluster) {
      const store = await inner.awsAuth(cluster);
      const stormy: AwsAuthStore = {
        read: () => store.read(),
        saveBackup: (s) => store.saveBackup(s),
        readBackup: () => store.readBackup(),
        async write(base, data, annotations) {
          const n = (writes.get(cluster.name) ?? 0) + 1;
          writes.set(cluster.name, n);
          if (n <= storms) {
            const section = n % 2 === 1 ? 'mapRoles' : 'mapUsers';
            const arn = `arn:aws:iam::123456789012:${section === 'mapRoles' ? 'role' : 'user'}/storm-${cluster.name}-${n}`;
            const field = section === 'mapRoles' ? 'rolearn' : 'userarn';
            const cm = await f.readAwsAuth(cluster.name);
            if (!cm?.data) throw new Error('aws-auth vanished');
            await f.replaceAwsAuth(
              {
                ...cm,
                data: {
                  ...cm.data,
                  [section]: `${cm.data[section] ?? ''}- ${field}: ${arn}\n  username: storm-${n}\n`,
                },
              },
              cluster.name,
            );
            edits.push({ cluster: cluster.name, arn });
          }
          return store.write(base, data, annotations);
        },
      };
      return stormy;
    },
  };
  return { clusters, edits };
}

describe('a 409 storm: a concurrent writer before every write', () => {
  it('gives up cleanly after its attempts when every write conflicts, losing no entry', async (context) => {
    // Prepare: ann is mapped already; bea joins, and every write of the sync meets a hand edit.
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    await f.addToGroup('bea', 'devs');
    const base = f.deps({ maxAttempts: 6 });
    const storm = stormyClusters(f, base.clusters, 1000);

    // Act
    const summary = await syncAccess({ ...base, clusters: storm.clusters })(apply);
    injects(context, storm.edits.length);

    // Assess: six attempts, six 409s, a clear refusal; every hand edit and every earlier entry kept.
    expect(storm.edits).toHaveLength(6);
    expect(summary.clusters[0]).toMatchObject({ status: 'error' });
    expect(summary.clusters[0]?.reason).toMatch(
      /kept changing under us: gave up after 6 attempts, nothing lost/,
    );
    const arns = arnsOf((await f.readAwsAuth())?.data);
    for (const { arn } of storm.edits) expect(arns).toContain(arn);
    expect(arns).toContain(f.userArn('ann'));
    expect(arns).not.toContain(f.userArn('bea'));
    expect(
      parseAwsAuth((await f.readAwsAuth())?.data ?? {}).entries.filter((e) =>
        e.groups.includes('system:nodes'),
      ),
    ).toHaveLength(3);
  });

  it('converges once the storm passes, keeping every hand edit made during it', async (context) => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    const base = f.deps({ maxAttempts: 6 });
    const storm = stormyClusters(f, base.clusters, 4);

    const summary = await syncAccess({ ...base, clusters: storm.clusters })(apply);
    injects(context, storm.edits.length);

    expect(summary.clusters[0]).toMatchObject({ status: 'updated', conflictRetries: 4 });
    const arns = arnsOf((await f.readAwsAuth())?.data);
    for (const arn of [...storm.edits.map((e) => e.arn), f.userArn('ann'), f.userArn('dan')])
      expect(arns).toContain(arn);
  });

  it('keeps the event fast path from losing hand edits under a storm on two clusters', async (context) => {
    const f = await syncFixture({ clusters: ['east', 'west'], groups: { admins: [], devs: ['dan'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles }, 'east');
    await f.putAwsAuth({ mapRoles: nodeRoles }, 'west');
    await syncAccess(f.deps())(apply);
    await f.removeFromGroup('dan', 'devs');
    await f.addToGroup('dora', 'devs');
    const base = f.deps({ maxAttempts: 6 });
    const storm = stormyClusters(f, base.clusters, 3);

    const summary = await syncAccess({ ...base, clusters: storm.clusters })({
      kind: 'membership',
      changes: [
        { userName: f.user('dan'), group: f.group('devs') },
        { userName: f.user('dora'), group: f.group('devs') },
      ],
      why: 'fault: 409 storm on the fast path',
    });
    injects(context, storm.edits.length);

    // Three conflicts on each cluster: each still lands within its six attempts.
    expect(storm.edits).toHaveLength(6);
    expect(summary.clusters.map((c) => c.conflictRetries)).toEqual([3, 3]);
    expect(summary.clusters.map((c) => c.status)).toEqual(['updated', 'updated']);
    for (const cluster of ['east', 'west']) {
      const arns = arnsOf((await f.readAwsAuth(cluster))?.data);
      expect(arns).toContain(f.userArn('dora'));
      expect(arns).not.toContain(f.userArn('dan'));
      for (const edit of storm.edits.filter((e) => e.cluster === cluster)) expect(arns).toContain(edit.arn);
    }
  });
});
