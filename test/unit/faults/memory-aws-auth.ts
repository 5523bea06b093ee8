import type { AwsAuthSnapshot, AwsAuthStore, IamDirectory } from '../../../src/app/ports';
import type { SyncAccessDeps } from '../../../src/app/sync/sync-access';
import type { IamUser } from '../../../src/domain/aws-auth/desired-state';
import { parseAccessConfig } from '../../../src/domain/config/config-file';

/** A config with one cluster, one group with one member, and an SSO role. */
export const oneCluster = {
  config: parseAccessConfig(`clusters: [{name: one, region: us-east-1}]
groups: [{iamGroup: devs, kubernetesGroups: [developers]}]
roles:
  - roleArn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_1
    username: "sso:{{SessionName}}"
    kubernetesGroups: [developers]
`),
  members: new Map<string, IamUser[]>([
    ['devs', [{ userName: 'dana', arn: 'arn:aws:iam::111122223333:user/dana' }]],
  ]) as ReadonlyMap<string, readonly IamUser[]>,
};

/**
 * aws-auth kept in memory, counting what the use case does to it. IAM knows the group `devs`
 * with no members, and no user at all, so nothing a fuzzed event says can justify a write.
 */
export function memoryAwsAuth(data: Record<string, string>, annotations: Record<string, string> = {}) {
  const state = {
    current: { exists: true, data, annotations, resourceVersion: '1' } as AwsAuthSnapshot,
    opened: 0,
    writes: 0,
  };
  const store: AwsAuthStore = {
    requests: 0,
    async read() {
      return structuredClone(state.current);
    },
    async write(base, nextData, nextAnnotations) {
      if (base.resourceVersion !== state.current.resourceVersion) throw new Error('stale write');
      state.writes++;
      state.current = {
        exists: true,
        data: nextData,
        annotations: nextAnnotations,
        resourceVersion: String(Number(state.current.resourceVersion) + 1),
      };
    },
    async saveBackup() {},
    async readBackup() {
      return undefined;
    },
  };
  const iam: IamDirectory = {
    requests: 0,
    groupMembers: async (group) => (group === 'devs' ? [] : undefined),
    userGroups: async () => undefined,
  };
  const deps: SyncAccessDeps = {
    config: parseAccessConfig(`clusters: [{name: one, region: us-east-1}]
groups: [{iamGroup: devs, kubernetesGroups: [developers]}]
`),
    iam,
    clusters: {
      async awsAuth() {
        state.opened++;
        return store;
      },
      async endpoint() {
        throw new Error('not used');
      },
    },
    sleep: async () => {},
  };
  return {
    deps,
    get opened() {
      return state.opened;
    },
    get writes() {
      return state.writes;
    },
    get current() {
      return state.current;
    },
  };
}
