import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateUserCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { stringify } from 'yaml';
import type { SandboxEnv } from '../../scripts/sandbox/sandbox';
import { seedAwsAuth } from '../../scripts/sandbox/seed';
import { clusterAccess } from '../../src/adapters/cluster-access';
import { iamDirectory } from '../../src/adapters/iam-directory';
import type { SyncAccessDeps } from '../../src/app/sync/sync-access';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { iamClient } from './aws-clients';
import { coreApi, found } from './kube-clients';
import { sandbox, uniqueName } from './sandbox';

/** A node group, a Fargate profile and Windows nodes: what every real aws-auth holds and the tool must keep. */
export const nodeRoles = seedAwsAuth;

/**
 * One test's world: its own IAM groups in moto and its own namespace standing in for a cluster's
 * kube-system on the real apiserver, with the production adapters in between.
 */
export async function syncFixture(
  options: { clusters?: string[]; groups?: Record<string, string[]>; env?: SandboxEnv } = {},
) {
  // The bench passes its own sandbox; tests get the suite's.
  const env = options.env ?? sandbox();
  const id = uniqueName('t');
  const kube = coreApi(env.kube.adminToken, env);
  const clusters = options.clusters ?? ['one'];
  const namespaceOf = (cluster: string) => `${id}-${cluster}`;
  for (const cluster of clusters) {
    await kube.createNamespace({
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceOf(cluster) } },
    });
  }
  const iam = iamClient({ env });
  const group = (name: string) => `${id}-${name}`;
  const user = (name: string) => `${id}-${name}`;
  const groups = options.groups ?? { admins: [], devs: [] };
  for (const [name, users] of Object.entries(groups)) {
    await iam.send(new CreateGroupCommand({ GroupName: group(name) }));
    for (const u of users) await addToGroup(u, name);
  }
  async function addToGroup(name: string, groupName: string) {
    await iam.send(new CreateUserCommand({ UserName: user(name) })).catch((e: { name?: string }) => {
      if (e.name !== 'EntityAlreadyExistsException') throw e;
    });
    await iam.send(new AddUserToGroupCommand({ GroupName: group(groupName), UserName: user(name) }));
  }
  async function removeFromGroup(name: string, groupName: string) {
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: group(groupName), UserName: user(name) }));
  }
  const configText = (extra: Record<string, unknown> = {}) =>
    stringify({
      clusters: clusters.map((name) => ({ name, region: 'us-east-1' })),
      groups: [
        { iamGroup: group('admins'), kubernetesGroups: ['system:masters'], allowSystemMasters: true },
        { iamGroup: group('devs'), kubernetesGroups: ['developers', 'cluster-reader'] },
        ...Object.keys(groups)
          .filter((g) => g !== 'admins' && g !== 'devs')
          .map((g) => ({ iamGroup: group(g), kubernetesGroups: [g] })),
      ],
      roles: [
        {
          roleArn:
            'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123',
          username: 'sso-dev:{{SessionName}}',
          kubernetesGroups: ['developers'],
        },
      ],
      ...extra,
    });
  const deps = (overrides: Partial<SyncAccessDeps> = {}): SyncAccessDeps => ({
    config: parseAccessConfig(configText()),
    iam: iamDirectory(iamClient({ env })),
    clusters: clusterAccess({
      staticEndpoint: { server: env.kube.server, caData: env.kube.caData, token: env.kube.adminToken },
      awsAuthNamespace: (c) => namespaceOf(c.name),
    }),
    sleep: async () => {},
    ...overrides,
  });
  type ConfigMap = {
    metadata: { resourceVersion: string; annotations?: Record<string, string> };
    data?: Record<string, string>;
  };
  return {
    id,
    kube,
    deps,
    configText,
    user,
    group,
    addToGroup,
    removeFromGroup,
    userArn: (name: string) => `arn:aws:iam::123456789012:user/${user(name)}`,
    namespaceOf,
    readAwsAuth: async (cluster = clusters[0] as string) =>
      (await found(kube.readNamespacedConfigMap({ name: 'aws-auth', namespace: namespaceOf(cluster) }))) as
        | ConfigMap
        | undefined,
    async putAwsAuth(data: Record<string, string>, cluster = clusters[0] as string) {
      await kube.createNamespacedConfigMap({
        namespace: namespaceOf(cluster),
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'aws-auth',
            namespace: namespaceOf(cluster),
            labels: { 'example.com/owner': 'platform' },
          },
          data,
        },
      });
    },
    async replaceAwsAuth(cm: ConfigMap, cluster = clusters[0] as string) {
      await kube.replaceNamespacedConfigMap({ name: 'aws-auth', namespace: namespaceOf(cluster), body: cm });
    },
  };
}
