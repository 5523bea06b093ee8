import type { IamDirectory } from '../../src/app/ports';
import type { SyncAccessDeps } from '../../src/app/sync/sync-access';
import type { IamUser } from '../../src/domain/aws-auth/desired-state';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { memoryClusters } from './memory-clusters';

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
 * The cluster `one` with this aws-auth, in memory, counting what the use case does to it. IAM knows
 * the group `devs` with no members, and no user at all, so nothing a fuzzed event says can justify a write.
 */
export function oneClusterWorld(data: Record<string, string>, annotations: Record<string, string> = {}) {
  const clusters = memoryClusters([], { one: data }, { one: annotations });
  const iam: IamDirectory = {
    groupMembers: async (group) => (group === 'devs' ? [] : undefined),
    userGroups: async () => undefined,
  };
  const deps: SyncAccessDeps = {
    config: parseAccessConfig(`clusters: [{name: one, region: us-east-1}]
groups: [{iamGroup: devs, kubernetesGroups: [developers]}]
`),
    iam,
    clusters: clusters.access,
    sleep: async () => {},
  };
  return {
    deps,
    get opened() {
      return clusters.opened('one');
    },
    get writes() {
      return clusters.writes('one');
    },
    get current() {
      return clusters.awsAuth('one') as NonNullable<ReturnType<typeof clusters.awsAuth>>;
    },
  };
}
