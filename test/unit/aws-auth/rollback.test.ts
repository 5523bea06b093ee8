import { describe, expect, it } from 'vitest';
import type { IamDirectory } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import {
  encodeWriteRecord,
  lastWriteAnnotation,
  readWriteRecord,
} from '../../../src/domain/aws-auth/write-record';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { memoryClusters } from '../../support/memory-clusters';

const account = '111122223333';
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const nodeRole = (name: string) => `- rolearn: arn:aws:iam::${account}:role/${name}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
`;
const config = parseAccessConfig(`
clusters: [{ name: prod, region: us-east-1 }]
groups: [{ iamGroup: devs, kubernetesGroups: [developers] }]
`);
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const rollback = (requestId: string) => ({ kind: 'rollback', why: 'test', requestId }) as const;

/** aws-auth with one node group; IAM's `devs` as `members` says at each sync. */
function cluster() {
  const members: string[] = [];
  const iam: IamDirectory = {
    groupMembers: async () => members.map((u) => ({ userName: u, arn: userArn(u) })),
    userGroups: async () => undefined,
  };
  const clusters = memoryClusters([], { prod: { mapRoles: nodeRole('nodes-a') } });
  const run = syncAccess({ config, iam, clusters: clusters.access, sleep: async () => {} });
  const entries = () =>
    parseAwsAuth(clusters.awsAuth('prod')?.data ?? {}).entries.map((e) => [e.arn, e.groups.join(',')]);
  const arns = () => entries().map(([arn]) => arn);
  const sync = async (...names: string[]) => {
    members.splice(0, members.length, ...names);
    return (await run(apply)).clusters[0];
  };
  return { clusters, run, sync, entries, arns };
}

describe('a rollback', () => {
  it('undoes only our last write: a node group added since stays', async () => {
    // Prepare: ann synced, then bea; after that someone adds a node group by hand.
    const c = cluster();
    await c.sync('ann');
    await c.sync('ann', 'bea');
    c.clusters.handEdit('prod', (s) => ({
      data: { ...s.data, mapRoles: `${s.data.mapRoles}${nodeRole('nodes-b')}` },
    }));

    // Act
    const result = (await c.run(rollback('r1'))).clusters[0];

    // Assess
    expect(result).toMatchObject({ status: 'updated', removed: [userArn('bea')], conflicts: [] });
    expect(c.arns()).toEqual([
      `arn:aws:iam::${account}:role/nodes-a`,
      `arn:aws:iam::${account}:role/nodes-b`,
      userArn('ann'),
    ]);
  });

  it('puts back an entry our last write removed, owned again, so the next sync can remove it again', async () => {
    // Prepare
    const c = cluster();
    await c.sync('ann', 'bea');
    await c.sync('ann');

    // Act
    await c.run(rollback('r1'));

    // Assess
    expect(c.arns()).toContain(userArn('bea'));
    expect((await c.sync('ann'))?.removed).toEqual([userArn('bea')]);
  });

  it('leaves an entry changed again since our write, reports it as a conflict, and undoes the rest', async () => {
    // Prepare: the last write added bea and cid; someone then changed bea's groups.
    const c = cluster();
    await c.sync('ann');
    await c.sync('ann', 'bea', 'cid');
    c.clusters.handEdit('prod', (s) => ({
      data: {
        ...s.data,
        mapUsers: s.data.mapUsers?.replace(/(user\/bea"\n.*\n.*\n {4}- )"developers"/, '$1"ops"') ?? '',
      },
    }));
    expect(c.entries()).toContainEqual([userArn('bea'), 'ops']);

    // Act
    const result = (await c.run(rollback('r1'))).clusters[0];

    // Assess
    expect(result?.removed).toEqual([userArn('cid')]);
    expect(result?.conflicts).toEqual([`${userArn('bea')}: changed by someone else since; left as it is`]);
    expect(result?.reason).toContain(
      'undid 1 change(s) of the last write; 1 entry changed since kept as they are',
    );
    expect(c.entries()).toContainEqual([userArn('bea'), 'ops']);
  });

  it('is applied once per request id: a retry does nothing, a new request rolls the rollback back', async () => {
    // Prepare
    const c = cluster();
    await c.sync('ann');
    await c.sync('ann', 'bea');
    await c.run(rollback('r1'));

    // Act
    const retried = (await c.run(rollback('r1'))).clusters[0];
    const afterRetry = c.arns();
    const second = (await c.run(rollback('r2'))).clusters[0];

    // Assess
    expect(retried).toMatchObject({
      status: 'unchanged',
      reason: 'rollback request r1 was applied already; nothing done again',
    });
    expect(afterRetry).not.toContain(userArn('bea'));
    expect(second).toMatchObject({ status: 'updated', added: [userArn('bea')] });
    expect(c.arns()).toContain(userArn('bea'));
  });

  it.each([
    ['a record aws-auth does not name', () => encodeWriteRecord({ changes: [] }).text],
    ['a backup from before records existed', () => '{"mapRoles": "- rolearn: x"}'],
  ])('refuses %s and changes nothing', async (_, forged) => {
    // Prepare
    const c = cluster();
    await c.sync('ann');
    await c.sync('ann', 'bea');
    c.clusters.replaceBackup('prod', forged());
    const before = structuredClone(c.clusters.awsAuth('prod'));

    // Act
    const result = (await c.run(rollback('r1'))).clusters[0];

    // Assess
    expect(result?.status).toBe('refused');
    expect(result?.reason).toMatch(/not the one of the last write on this aws-auth|not in a form/);
    expect(c.clusters.awsAuth('prod')).toEqual(before);
  });

  it('refuses when aws-auth names no write of ours', async () => {
    // Prepare: our write happened, then someone dropped our annotations.
    const c = cluster();
    await c.sync('ann');
    c.clusters.handEdit('prod', (s) => {
      const annotations = { ...s.annotations };
      delete annotations[lastWriteAnnotation];
      return { data: s.data, annotations };
    });

    // Act
    const result = (await c.run(rollback('r1'))).clusters[0];

    // Assess
    expect(result).toMatchObject({
      status: 'refused',
      reason: 'no record of a write of this tool is kept for this aws-auth',
    });
  });
});

describe('the record of a write', () => {
  it('keeps a "too large" marker instead of a record over 900 KiB, and a rollback then refuses', async () => {
    // Prepare: a write adding 12,000 users, more than a record can hold, bound to aws-auth as ours.
    const changes = Array.from({ length: 12_000 }, (_, i) => ({
      section: 'mapUsers' as const,
      arn: userArn(`user-${i}`),
      after: { arn: userArn(`user-${i}`), username: `user-${i}`, groups: ['developers'] },
      ownedBefore: false,
    }));
    const record = encodeWriteRecord({ changes });
    const c = cluster();
    await c.sync('ann');
    c.clusters.replaceBackup('prod', record.text);
    c.clusters.handEdit('prod', (s) => ({
      data: s.data,
      annotations: { ...s.annotations, [lastWriteAnnotation]: record.id },
    }));

    // Act
    const result = (await c.run(rollback('r1'))).clusters[0];

    // Assess
    expect(readWriteRecord(record.text)).toEqual({ tooLarge: true, changes: [] });
    expect(result).toMatchObject({
      status: 'refused',
      reason: 'the last write changed too many entries to keep a record of it; nothing undone',
    });
  });
});
