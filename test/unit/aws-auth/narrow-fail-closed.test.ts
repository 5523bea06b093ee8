import { describe, expect, it } from 'vitest';
import type { IamDirectory } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { memoryClusters } from '../../support/memory-clusters';

const userArn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;

/** `devs` is mapped on both clusters, `ops` only on `blue`. */
const config = parseAccessConfig(`
clusters:
  - {name: green, region: us-east-1}
  - {name: blue, region: eu-west-1}
groups:
  - iamGroup: devs
    kubernetesGroups: [developers]
  - iamGroup: ops
    kubernetesGroups: [operators]
    clusters: [blue]
`);

/** IAM as a map of group → members; a group set to `undefined` was deleted, one set to an Error fails. */
function iam(groups: Record<string, string[] | undefined | Error>): IamDirectory {
  return {
    async groupMembers(group) {
      const members = groups[group];
      if (members instanceof Error) throw members;
      return members?.map((u) => ({ userName: u, arn: userArn(u) }));
    },
    async userGroups(userName) {
      const groupsOf = Object.entries(groups)
        .filter(([, m]) => Array.isArray(m) && m.includes(userName))
        .map(([g]) => g);
      if (groupsOf.length === 0) return undefined;
      return { user: { userName, arn: userArn(userName) }, groups: groupsOf };
    },
  };
}

/** Both clusters synced with dan and dora in devs and olga in ops. */
async function synced() {
  const clusters = memoryClusters();
  const deps = (groups: Record<string, string[] | undefined | Error>) => ({
    config,
    iam: iam(groups),
    clusters: clusters.access,
    sleep: async () => {},
  });
  await syncAccess(deps({ devs: ['dan', 'dora'], ops: ['olga'] }))(apply);
  const arns = (cluster: string) =>
    parseAwsAuth(clusters.awsAuth(cluster)?.data ?? {}).entries.map((e) => e.arn);
  const version = (cluster: string) => clusters.awsAuth(cluster)?.resourceVersion;
  return { deps, arns, version };
}

describe('a mapped IAM group that is gone or unreadable blocks only the clusters it is mapped on', () => {
  it('refuses the clusters a deleted group is mapped on, naming it, and syncs the others', async () => {
    const world = await synced();
    expect(world.arns('blue')).toContain(userArn('olga'));
    const blueBefore = world.version('blue');

    // ops is deleted; dora left devs.
    const summary = await syncAccess(world.deps({ devs: ['dan'], ops: undefined }))(apply);

    const [green, blue] = summary.clusters;
    expect(green).toMatchObject({ cluster: 'green', status: 'updated', removed: [userArn('dora')] });
    expect(world.arns('green')).toEqual([userArn('dan')]);
    expect(blue).toMatchObject({ cluster: 'blue', status: 'refused', removed: [] });
    expect(blue?.reason).toMatch(/IAM group ops mapped on cluster blue does not exist/);
    expect(world.version('blue')).toBe(blueBefore);
    expect(world.arns('blue')).toEqual(
      expect.arrayContaining([userArn('dan'), userArn('dora'), userArn('olga')]),
    );
  });

  it('names every deleted group a cluster maps, sorted', async () => {
    const world = await synced();

    const summary = await syncAccess(world.deps({ devs: undefined, ops: undefined }))(apply);

    expect(summary.clusters.map((c) => c.status)).toEqual(['refused', 'refused']);
    expect(summary.clusters[0]?.reason).toMatch(/IAM group devs mapped on cluster green does not exist/);
    expect(summary.clusters[1]?.reason).toMatch(/IAM groups devs, ops mapped on cluster blue do not exist/);
  });

  it('fails only the clusters a group that IAM failed to answer is mapped on, as a retryable error', async () => {
    const world = await synced();
    const blueBefore = world.version('blue');
    const throttled = Object.assign(new Error('getting IAM group ops: Throttling: Rate exceeded'), {
      name: 'IamReadError',
    });

    const summary = await syncAccess(world.deps({ devs: ['dan'], ops: throttled }))(apply);

    expect(summary.clusters[0]).toMatchObject({ cluster: 'green', status: 'updated' });
    expect(summary.clusters[1]).toMatchObject({ cluster: 'blue', status: 'error', removed: [] });
    expect(summary.clusters[1]?.reason).toMatch(
      /IAM could not be read completely, nothing changed: getting IAM group ops: Throttling/,
    );
    expect(world.version('blue')).toBe(blueBefore);
  });

  it('on the event path, a user gone from IAM is removed where no deleted group blocks it', async () => {
    const world = await synced();

    // dora was deleted from IAM (RemoveUserFromGroup came first), and ops is gone too.
    const summary = await syncAccess(world.deps({ devs: ['dan'], ops: undefined }))({
      kind: 'membership',
      changes: [{ userName: 'dora', group: 'devs' }],
      why: 'test',
    });

    expect(summary.clusters.map((c) => [c.cluster, c.status])).toEqual([
      ['green', 'updated'],
      ['blue', 'refused'],
    ]);
    expect(world.arns('green')).not.toContain(userArn('dora'));
    expect(world.arns('blue')).toContain(userArn('dora'));
  });
});

describe('IAM group names on the event path are matched as IAM matches them (case-insensitively)', () => {
  const mixedCase = parseAccessConfig(`
clusters: [{name: green, region: us-east-1}]
groups:
  - iamGroup: EKS-Admins
    kubernetesGroups: [admins]
  - iamGroup: devs
    kubernetesGroups: [developers]
`);
  const world = () => {
    const clusters = memoryClusters();
    // IAM answers with its own spelling of the group, whatever the config or the event says.
    const deps = {
      config: mixedCase,
      iam: iam({ 'eks-admins': ['ann'], devs: ['ann'] }),
      clusters: clusters.access,
    };
    const entry = () => parseAwsAuth(clusters.awsAuth('green')?.data ?? {}).entries[0];
    return { deps, entry };
  };

  it('adds a user whose event spells the group differently from the config', async () => {
    const w = world();

    const summary = await syncAccess(w.deps)({
      kind: 'membership',
      changes: [{ userName: 'ann', group: 'eks-ADMINS' }],
      why: 'test',
    });

    expect(summary.clusters[0]).toMatchObject({ status: 'updated', added: [userArn('ann')] });
    expect(w.entry()?.groups).toEqual(['admins', 'developers']);
  });

  it("keeps a group's Kubernetes groups when IAM spells the group differently from the config", async () => {
    const w = world();

    await syncAccess(w.deps)({
      kind: 'membership',
      changes: [{ userName: 'ann', group: 'devs' }],
      why: 'test',
    });

    expect(w.entry()?.groups).toEqual(['admins', 'developers']);
  });
});
