import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterAccess, IamDirectory } from '../../../src/app/ports';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { syncAccessHandler } from '../../../src/lambda/sync-access-handler';
import { memoryClusters } from '../../support/memory-clusters';

const sample = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../events/iam-add-user-to-group.json'), 'utf8'),
) as { detail: Record<string, unknown> };
const record = (messageId: string, body: unknown) => ({
  messageId,
  eventSource: 'aws:sqs',
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const added = (userName: string, groupName: string) => ({
  ...sample,
  detail: { ...sample.detail, eventName: 'AddUserToGroup', requestParameters: { userName, groupName } },
});
const arn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;

const config = parseAccessConfig(`
clusters: [{name: east, region: us-east-1}, {name: west, region: us-west-2}]
groups:
  - {iamGroup: devs, kubernetesGroups: [developers], clusters: [east]}
  - {iamGroup: ops, kubernetesGroups: [ops], clusters: [west]}
`);
const iam: IamDirectory = {
  groupMembers: async () => [],
  userGroups: async (name) => ({
    user: { userName: name, arn: arn(name) },
    groups: name === 'dana' ? ['devs'] : ['ops'],
  }),
};

describe('a queued batch whose sync fails on one cluster', () => {
  it('has SQS retry only the records whose change reaches that cluster', async () => {
    // Prepare: east cannot be reached; west can
    const memory = memoryClusters();
    const clusters: ClusterAccess = {
      ...memory.access,
      awsAuth: async (cluster) => {
        if (cluster.name === 'east') throw new Error('cluster east cannot be reached: ECONNREFUSED');
        return memory.access.awsAuth(cluster);
      },
    };
    const handle = syncAccessHandler(() => ({ config, iam, clusters, sleep: async () => {} }));

    // Act
    const result = await handle({
      Records: [
        record('m-dana', added('dana', 'devs')),
        record('m-otto', added('otto', 'ops')),
        record('m-junk', '{not json'),
      ],
    });

    // Assess
    expect(result).toMatchObject({
      batchItemFailures: [{ itemIdentifier: 'm-dana' }],
      rejected: [{ messageId: 'm-junk' }],
    });
    expect(memory.awsAuth('west')?.data.mapUsers).toContain(arn('otto'));
  });

  it('reports every record when every cluster fails, without throwing', async () => {
    const clusters: ClusterAccess = {
      ...memoryClusters().access,
      awsAuth: async () => {
        throw new Error('no cluster reachable');
      },
    };
    const handle = syncAccessHandler(() => ({ config, iam, clusters, sleep: async () => {} }));

    const result = await handle({
      Records: [record('a', added('dana', 'devs')), record('b', added('otto', 'ops'))],
    });

    expect(result).toMatchObject({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
  });
});
