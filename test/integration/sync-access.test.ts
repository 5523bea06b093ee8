import { describe, expect, it } from 'vitest';
import type { AwsAuthStore } from '../../src/app/ports';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { ownedAnnotation } from '../../src/domain/aws-auth/ownership';
import { nodeRoles, syncFixture } from '../support/sync-fixture';

const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const entriesOf = (data: Record<string, string> | undefined) =>
  parseAwsAuth(data ?? {}).entries.map((e) => ({ arn: e.arn, username: e.username, groups: e.groups }));

describe('syncAccess on the sandbox (real kube-apiserver, moto IAM)', () => {
  it('maps a user who joins a group, only that user, and keeps node, Fargate and Windows roles', async () => {
    // Prepare
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    await f.addToGroup('carol', 'devs');

    // Act: the event fast path for carol
    const summary = await syncAccess(f.deps())({
      kind: 'membership',
      changes: [{ userName: f.user('carol'), group: f.group('devs') }],
      why: 'test',
    });

    // Assess
    expect(summary.clusters[0]).toMatchObject({
      status: 'updated',
      added: [f.userArn('carol')],
      removed: [],
      changed: [],
    });
    const cm = await f.readAwsAuth();
    const entries = entriesOf(cm?.data);
    expect(entries).toContainEqual({
      arn: f.userArn('carol'),
      username: f.user('carol'),
      groups: ['cluster-reader', 'developers'],
    });
    expect(cm?.data?.mapRoles?.startsWith(nodeRoles)).toBe(true);
    expect(entries.filter((e) => e.groups.includes('system:nodes'))).toHaveLength(3);
  });

  it('removes the entry of a user who leaves, and nothing else', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan', 'dora'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles, mapAccounts: '- "111122223333"\n', extraKey: 'kept: true\n' });
    await syncAccess(f.deps())(apply);
    await f.removeFromGroup('dan', 'devs');

    const summary = await syncAccess(f.deps())({
      kind: 'membership',
      changes: [{ userName: f.user('dan'), group: f.group('devs') }],
      why: 'test',
    });

    expect(summary.clusters[0]).toMatchObject({ status: 'updated', removed: [f.userArn('dan')], added: [] });
    const cm = await f.readAwsAuth();
    const arns = entriesOf(cm?.data).map((e) => e.arn);
    expect(arns).not.toContain(f.userArn('dan'));
    expect(arns).toContain(f.userArn('dora'));
    expect(arns).toContain(f.userArn('ann'));
    expect(cm?.data?.mapAccounts).toBe('- "111122223333"\n');
    expect(cm?.data?.extraKey).toBe('kept: true\n');
  });

  it('writes nothing when a reconcile has nothing to change', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    const before = await f.readAwsAuth();

    const summary = await syncAccess(f.deps())(apply);

    expect(summary.clusters[0]?.status).toBe('unchanged');
    expect((await f.readAwsAuth())?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('plans without writing', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    const before = await f.readAwsAuth();

    const summary = await syncAccess(f.deps())({ ...apply, apply: false });

    expect(summary.clusters[0]).toMatchObject({
      status: 'planned',
      added: expect.arrayContaining([f.userArn('ann')]),
    });
    expect(summary.clusters[0]?.diff.some((line) => line.startsWith(`+ mapUsers ${f.userArn('ann')}`))).toBe(
      true,
    );
    expect((await f.readAwsAuth())?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('keeps a hand edit made between its read and its write (409, re-read, re-plan)', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    const handEdit =
      '- rolearn: arn:aws:iam::123456789012:role/hand-added\n  username: hand\n  groups: [hand]\n';
    const base = f.deps();
    let raced = false;
    const deps = {
      ...base,
      clusters: {
        ...base.clusters,
        async awsAuth(cluster: Parameters<typeof base.clusters.awsAuth>[0]): Promise<AwsAuthStore> {
          const store = await base.clusters.awsAuth(cluster);
          return {
            ...store,
            read: store.read,
            saveBackup: store.saveBackup,
            readBackup: store.readBackup,
            async write(snapshot, data, annotations) {
              if (!raced) {
                // A person's kubectl edit lands after our read: the real apiserver must answer 409.
                raced = true;
                const cm = await f.readAwsAuth();
                if (!cm?.data) throw new Error('aws-auth vanished');
                await f.replaceAwsAuth({
                  ...cm,
                  data: { ...cm.data, mapRoles: `${cm.data.mapRoles}${handEdit}` },
                });
              }
              return store.write(snapshot, data, annotations);
            },
          };
        },
      },
    };

    const summary = await syncAccess(deps)(apply);

    expect(summary.clusters[0]).toMatchObject({ status: 'updated', conflictRetries: 1 });
    const arns = entriesOf((await f.readAwsAuth())?.data).map((e) => e.arn);
    expect(arns).toContain('arn:aws:iam::123456789012:role/hand-added');
    expect(arns).toContain(f.userArn('ann'));
  });

  it('converges with no lost entry when 20 syncs race on one aws-auth', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const f = await syncFixture({ groups: { admins: [], devs: users } });
    await f.putAwsAuth({ mapRoles: nodeRoles });

    const runs = await Promise.all(
      users.map((u) =>
        syncAccess(f.deps({ maxAttempts: 30 }))({
          kind: 'membership',
          changes: [{ userName: f.user(u), group: f.group('devs') }],
          why: 'race',
        }),
      ),
    );

    expect(runs.flatMap((r) => r.clusters).filter((c) => c.status === 'error')).toEqual([]);
    const entries = entriesOf((await f.readAwsAuth())?.data);
    for (const u of users) expect(entries.map((e) => e.arn)).toContain(f.userArn(u));
    expect(entries.filter((e) => e.groups.includes('system:nodes'))).toHaveLength(3);
  });

  it('leaves an aws-auth it cannot parse byte-for-byte untouched and says where', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    const broken = `${nodeRoles}- rolearn: arn:aws:iam::123456789012:role/typo\n  username: {{SessionName}}\n`;
    await f.putAwsAuth({ mapRoles: broken });
    const before = await f.readAwsAuth();

    const summary = await syncAccess(f.deps())(apply);

    expect(summary.clusters[0]?.status).toBe('refused');
    expect(summary.clusters[0]?.reason).toMatch(/mapRoles line \d+: username must be a string/);
    const after = await f.readAwsAuth();
    expect(after?.data?.mapRoles).toBe(broken);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('undoes its last write with one rollback, keeps a role mapped by hand since, and the rollback can be rolled back', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    const synced = await f.readAwsAuth();
    await f.addToGroup('bea', 'admins');
    await syncAccess(f.deps())(apply);
    const handEdit =
      '- rolearn: arn:aws:iam::123456789012:role/hand-added\n  username: hand\n  groups: [hand]\n';
    const cm = await f.readAwsAuth();
    if (!cm?.data) throw new Error('aws-auth vanished');
    await f.replaceAwsAuth({ ...cm, data: { ...cm.data, mapRoles: `${cm.data.mapRoles}${handEdit}` } });

    const summary = await syncAccess(f.deps())({ kind: 'rollback', why: 'test', requestId: 'first' });

    expect(summary.clusters[0]).toMatchObject({ status: 'updated', removed: [f.userArn('bea')] });
    const restored = await f.readAwsAuth();
    expect(restored?.data?.mapUsers).toEqual(synced?.data?.mapUsers);
    expect(restored?.data?.mapRoles).toEqual(`${synced?.data?.mapRoles}${handEdit}`);
    expect(restored?.metadata.annotations?.[ownedAnnotation]).toBe(
      synced?.metadata.annotations?.[ownedAnnotation],
    );
    const retried = await syncAccess(f.deps())({ kind: 'rollback', why: 'test', requestId: 'first' });
    expect(retried.clusters[0]?.status).toBe('unchanged');
    const again = await syncAccess(f.deps())({ kind: 'rollback', why: 'test', requestId: 'second' });
    expect(again.clusters[0]?.status).toBe('updated');
    expect(entriesOf((await f.readAwsAuth())?.data).map((e) => e.arn)).toContain(f.userArn('bea'));
  });

  it('touches only the clusters whose mappings name the group of the event', async () => {
    const f = await syncFixture({ clusters: ['east', 'west'], groups: { admins: [], devs: [], ops: [] } });
    const config = f.configText();
    const deps = f.deps();
    // ops is mapped on west only
    deps.config = {
      ...deps.config,
      groups: deps.config.groups.map((g) =>
        g.iamGroup === f.group('ops') ? { ...g, clusters: ['west'] } : g,
      ),
    };
    await f.addToGroup('olga', 'ops');

    const summary = await syncAccess(deps)({
      kind: 'membership',
      changes: [{ userName: f.user('olga'), group: f.group('ops') }],
      why: 'test',
    });

    expect(config).toContain(f.group('ops'));
    expect(summary.clusters.map((c) => c.cluster)).toEqual(['west']);
    expect(await f.readAwsAuth('east')).toBeUndefined();
    expect(entriesOf((await f.readAwsAuth('west'))?.data).map((e) => e.arn)).toEqual([f.userArn('olga')]);
  });

  it('reports a group that does not exist and changes nothing', async () => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: [] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    const deps = f.deps();
    deps.config = {
      ...deps.config,
      groups: [
        ...deps.config.groups,
        { iamGroup: `${f.id}-gone`, kubernetesGroups: ['x'], allowSystemMasters: false },
      ],
    };
    const before = await f.readAwsAuth();

    const summary = await syncAccess(deps)(apply);

    // Refused, not an error: a retry cannot help until the config or IAM is fixed.
    expect(summary.clusters[0]?.status).toBe('refused');
    expect(summary.clusters[0]?.reason).toContain(`IAM group ${f.id}-gone mapped on cluster`);
    expect((await f.readAwsAuth())?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });
});
