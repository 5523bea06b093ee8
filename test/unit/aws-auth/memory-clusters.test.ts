import { describe, expect, it } from 'vitest';
import { WriteConflictError } from '../../../src/app/ports';
import type { ClusterConfig } from '../../../src/domain/config/config';
import { memoryClusters } from '../../support/memory-clusters';

const prod = { name: 'prod', region: 'us-east-1' } as ClusterConfig;
const nodeRole = '- rolearn: arn:aws:iam::111122223333:role/nodes\n  username: n\n';

describe('the in-memory aws-auth is true to the AwsAuthStore port', () => {
  it('refuses a write based on a stale snapshot with WriteConflictError and keeps what is there', async () => {
    // Prepare: two readers of the same version; the first one writes.
    const clusters = memoryClusters([], { prod: { mapRoles: nodeRole } });
    const store = await clusters.access.awsAuth(prod);
    const first = await store.read();
    const second = await store.read();
    await store.write(first, { mapRoles: `${nodeRole}# first\n` }, {});

    // Act
    const stale = store.write(second, { mapRoles: '' }, {});

    // Assess
    await expect(stale).rejects.toBeInstanceOf(WriteConflictError);
    expect(clusters.awsAuth('prod')).toMatchObject({
      data: { mapRoles: `${nodeRole}# first\n` },
      resourceVersion: '2',
    });
    expect(clusters.writes('prod')).toBe(1);
  });

  it('refuses a write over a hand edit made since the read', async () => {
    const clusters = memoryClusters([], { prod: { mapRoles: nodeRole } });
    const store = await clusters.access.awsAuth(prod);
    const base = await store.read();
    clusters.handEdit('prod', (s) => ({ data: { ...s.data, mapUsers: '[]' } }));

    await expect(store.write(base, {}, {})).rejects.toBeInstanceOf(WriteConflictError);
    expect(clusters.awsAuth('prod')?.data).toEqual({ mapRoles: nodeRole, mapUsers: '[]' });
  });

  it('refuses to create an aws-auth that someone else created since it was read as missing', async () => {
    const clusters = memoryClusters();
    const store = await clusters.access.awsAuth(prod);
    const missing = await store.read();
    await store.write(missing, { mapRoles: nodeRole }, {});

    expect(missing.exists).toBe(false);
    await expect(store.write(missing, { mapRoles: '' }, {})).rejects.toBeInstanceOf(WriteConflictError);
    expect(clusters.awsAuth('prod')?.data).toEqual({ mapRoles: nodeRole });
  });

  it('keeps what it was given, not the caller’s objects, and gives each read a copy', async () => {
    const clusters = memoryClusters([], { prod: { mapRoles: nodeRole } });
    const store = await clusters.access.awsAuth(prod);
    const data = { mapRoles: '' };
    await store.write(await store.read(), data, { note: 'a' });
    data.mapRoles = 'changed after the write';
    (await store.read()).data.mapRoles = 'changed on a read copy';

    expect((await store.read()).data).toEqual({ mapRoles: '' });
  });

  it('keeps the backup as the record string it was given, the last one saved', async () => {
    const clusters = memoryClusters([], { prod: { mapRoles: nodeRole } });
    const store = await clusters.access.awsAuth(prod);

    expect(await store.readBackup()).toBeUndefined();
    await store.saveBackup('{"v":1}');
    await store.saveBackup('{"v":2}');

    expect(await store.readBackup()).toBe('{"v":2}');
  });
});
