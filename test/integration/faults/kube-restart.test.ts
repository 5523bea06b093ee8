import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAccess } from '../../../src/adapters/cluster-access';
import type { AwsAuthStore, ClusterAccess, IamDirectory } from '../../../src/app/ports';
import { type SyncAccessDeps, syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import type { IamUser } from '../../../src/domain/aws-auth/desired-state';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { nodeRoles } from '../../support/sync-fixture';
import { injects } from './fault-count';
import { PrivateKube } from './private-kube';

const apply = { kind: 'reconcile', apply: true, force: false, why: 'fault: apiserver down' } as const;
const user = (name: string): IamUser => ({ userName: name, arn: `arn:aws:iam::123456789012:user/${name}` });
const members: Record<string, IamUser[]> = { devs: [user('dana'), user('dev')], ops: [user('otto')] };
/** IAM answers as configured; the fault here is on the cluster side. */
const iam: IamDirectory = {
  groupMembers: async (group) => members[group],
  userGroups: async (name) => {
    const groups = Object.keys(members).filter((g) => members[g]?.some((u) => u.userName === name));
    return { user: user(name), groups };
  },
};

type ConfigMap = { metadata: { resourceVersion: string }; data?: Record<string, string> };

describe('kube-apiserver stopped mid-sync and restarted', () => {
  let kube: PrivateKube;
  let ids = 0;
  beforeAll(async () => {
    kube = await PrivateKube.start();
  });
  afterAll(async () => {
    await kube?.destroy();
  });

  /** `clusters` namespaces, each an aws-auth with node roles, and deps that reach them as they are now. */
  async function world(clusters: string[]) {
    const id = `f${++ids}`;
    const admin = kube.admin();
    for (const c of clusters) {
      await admin.createNamespace({
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${id}-${c}` } },
      });
      await admin.createNamespacedConfigMap({
        namespace: `${id}-${c}`,
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'aws-auth', namespace: `${id}-${c}` },
          data: { mapRoles: nodeRoles },
        },
      });
    }
    const config = parseAccessConfig(
      `clusters: [${clusters.map((c) => `{name: ${c}, region: us-east-1}`).join(', ')}]\ngroups:\n  - {iamGroup: devs, kubernetesGroups: [developers]}\n  - {iamGroup: ops, kubernetesGroups: [ops]}\n`,
    );
    const deps = (wrap: (store: AwsAuthStore) => AwsAuthStore = (s) => s): SyncAccessDeps => {
      const inner = clusterAccess({
        staticEndpoint: kube.endpoint,
        awsAuthNamespace: (c) => `${id}-${c.name}`,
      });
      const clustersWithFault: ClusterAccess = {
        endpoint: (c) => inner.endpoint(c),
        awsAuth: async (c) => wrap(await inner.awsAuth(c)),
      };
      return { config, iam, clusters: clustersWithFault, sleep: async () => {}, concurrency: 1 };
    };
    const read = async (c: string) =>
      (await kube
        .admin()
        .readNamespacedConfigMap({ name: 'aws-auth', namespace: `${id}-${c}` })) as ConfigMap;
    const arns = async (c: string) => parseAwsAuth((await read(c))?.data ?? {}).entries.map((e) => e.arn);
    return { deps, read, arns };
  }

  /** A store whose `when` call first runs `fault`, once. */
  function faultAt(when: 'afterRead' | 'beforeWrite' | 'afterWrite', fault: () => Promise<void> | void) {
    let done = false;
    const once = async () => {
      if (done) return;
      done = true;
      await fault();
    };
    return (store: AwsAuthStore): AwsAuthStore => ({
      async read() {
        const snapshot = await store.read();
        if (when === 'afterRead') await once();
        return snapshot;
      },
      saveBackup: (s) => store.saveBackup(s),
      readBackup: () => store.readBackup(),
      async write(base, data, annotations) {
        if (when === 'beforeWrite') await once();
        await store.write(base, data, annotations);
        if (when === 'afterWrite') await once();
      },
    });
  }

  it('writes nothing when the apiserver stops between read and write, then syncs once it is back', async (context) => {
    injects(context, 1);
    const w = await world(['one']);
    const before = await w.read('one');

    const down = await syncAccess(w.deps(faultAt('afterRead', () => kube.stop())))(apply);

    expect(down.clusters[0]).toMatchObject({ status: 'error' });
    expect(down.clusters[0]?.reason).toMatch(
      /cluster one cannot be reached: PUT .*(ECONNREFUSED|ECONNRESET|socket hang up)/,
    );
    await kube.restart();
    const after = await w.read('one');
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(after?.data).toEqual(before?.data);

    const back = await syncAccess(w.deps())(apply);

    expect(back.clusters[0]).toMatchObject({ status: 'updated' });
    const arns = await w.arns('one');
    expect(arns).toEqual(expect.arrayContaining([user('dana').arn, user('dev').arn, user('otto').arn]));
    expect(
      parseAwsAuth((await w.read('one'))?.data ?? {}).entries.filter((e) =>
        e.groups.includes('system:nodes'),
      ),
    ).toHaveLength(3);
  });

  it('finishes the clusters it wrote, reports the others, and completes them after the restart', async (context) => {
    injects(context, 1);
    const w = await world(['a', 'b', 'c']);

    const down = await syncAccess(w.deps(faultAt('afterWrite', () => kube.stop())))(apply);

    expect(down.clusters.map((c) => [c.cluster, c.status])).toEqual([
      ['a', 'updated'],
      ['b', 'error'],
      ['c', 'error'],
    ]);
    expect(down.clusters[1]?.reason).toMatch(/cluster b cannot be reached/);
    await kube.restart();
    const aBefore = await w.read('a');

    const back = await syncAccess(w.deps())(apply);

    expect(back.clusters.map((c) => c.status)).toEqual(['unchanged', 'updated', 'updated']);
    expect((await w.read('a'))?.metadata.resourceVersion).toBe(aBefore?.metadata.resourceVersion);
    for (const c of ['a', 'b', 'c']) {
      const entries = parseAwsAuth((await w.read(c))?.data ?? {}).entries;
      expect(entries.filter((e) => e.groups.includes('system:nodes'))).toHaveLength(3);
      expect(entries.map((e) => e.arn)).toEqual(expect.arrayContaining([user('dana').arn, user('otto').arn]));
    }
  });

  it('reports a hung apiserver after the client timeout; whether the write landed or not, the next sync converges', async (context) => {
    injects(context, 1);
    const w = await world(['one']);

    const hung = await syncAccess(w.deps(faultAt('beforeWrite', () => kube.pause())))(apply);
    kube.resume();

    expect(hung.clusters[0]).toMatchObject({ status: 'error' });
    expect(hung.clusters[0]?.reason).toMatch(/cluster one cannot be reached: PUT .*no answer in \d+ ms/);
    const back = await syncAccess(w.deps())(apply);
    expect(['updated', 'unchanged']).toContain(back.clusters[0]?.status);
    const entries = parseAwsAuth((await w.read('one'))?.data ?? {}).entries;
    expect(entries.filter((e) => e.groups.includes('system:nodes'))).toHaveLength(3);
    expect(entries.map((e) => e.arn)).toEqual(
      expect.arrayContaining([user('dana').arn, user('dev').arn, user('otto').arn]),
    );
  }, 60_000);
});
