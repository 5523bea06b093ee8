import { DescribeClusterCommand, EKSClient, TagResourceCommand } from '@aws-sdk/client-eks';
import type { SyncRecords } from '../app/fleet/fleet-ports';
import { identityOf } from '../domain/config/cluster-identity';
import type { ClusterConfig } from '../domain/config/config';
import { lastSyncTag } from '../domain/fleet/last-sync';
import { clusterCredentials } from './assume-role';
import { eksCall } from './eks-call';
import { type EksClustersOptions, partitionOf } from './eks-clusters';

/**
 * Keeps each cluster's last sync as a tag on the EKS cluster (TagResource, in its account through its
 * role). The ARN is formed from the cluster's identity; a listed cluster of unknown account is
 * described once per function instance to learn it.
 */
export function syncRecordsOnEks(options: EksClustersOptions = {}): SyncRecords {
  const credentialsFor = clusterCredentials(options);
  const arns = new Map<string, string>();

  async function client(cluster: ClusterConfig): Promise<EKSClient> {
    return new EKSClient({
      region: cluster.region,
      credentials: await credentialsFor(cluster),
      maxAttempts: options.maxAttempts ?? 6,
      ...(options.awsEndpoint ? { endpoint: options.awsEndpoint } : {}),
      ...options.clientConfig,
    });
  }

  async function arnOf(eks: EKSClient, cluster: ClusterConfig): Promise<string> {
    const id = identityOf(cluster);
    if (id.accountId)
      return `arn:${partitionOf(id.region)}:eks:${id.region}:${id.accountId}:cluster/${id.name}`;
    const key = `${id.region}/${id.name}`;
    const known = arns.get(key);
    if (known) return known;
    const answer = await eksCall(`describing cluster ${id.name} in ${id.region}`, () =>
      eks.send(new DescribeClusterCommand({ name: id.name })),
    );
    const arn = answer.cluster?.arn;
    if (!arn) throw new Error(`EKS gave no ARN for cluster ${id.name} in ${id.region}`);
    arns.set(key, arn);
    return arn;
  }

  return {
    async record(cluster, value) {
      const eks = await client(cluster);
      const resourceArn = await arnOf(eks, cluster);
      await eksCall(`tagging cluster ${cluster.name} in ${cluster.region} with its last sync`, () =>
        eks.send(new TagResourceCommand({ resourceArn, tags: { [lastSyncTag]: value } })),
      );
    },
  };
}
