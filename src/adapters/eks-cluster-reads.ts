import { DescribeClusterCommand, EKSClient, type EKSClientConfig } from '@aws-sdk/client-eks';
import type { ClusterDescription } from '../app/access-entries/eks-ports';
import type { EksClusterReads } from '../app/review/review-ports';
import { authenticationModeOf } from '../domain/access-entries/authentication-mode';
import type { ClusterConfig } from '../domain/config/config';
import { type AwsAccessOptions, clusterCredentials } from './assume-role';
import { accessEntryReads } from './eks-access-entry-reads';
import { eksCall, isNotFound } from './eks-call';

export interface EksClustersOptions extends AwsAccessOptions {
  /** SDK attempts per call; the SDK's own retry absorbs throttling (ThrottlingException, 429). */
  maxAttempts?: number;
  /** Extra client configuration (tests give a request handler or a retry strategy). */
  clientConfig?: Partial<EKSClientConfig>;
}

/** The partition a region belongs to: access policy ARNs live in it. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** An EKS client in the cluster's account (its role assumed) and region. */
export function eksClientFor(options: EksClustersOptions) {
  const credentialsFor = clusterCredentials(options);
  return async (cluster: ClusterConfig): Promise<EKSClient> =>
    new EKSClient({
      region: cluster.region,
      credentials: await credentialsFor(cluster),
      maxAttempts: options.maxAttempts ?? 6,
      ...(options.awsEndpoint ? { endpoint: options.awsEndpoint } : {}),
      ...options.clientConfig,
    });
}

/**
 * DescribeCluster and reading access entries. Its own module, so that a function that only reads
 * (the access review) bundles no EKS write and its role is granted none.
 */
export function eksClusterReads(
  options: EksClustersOptions = {},
  client = eksClientFor(options),
): EksClusterReads {
  return {
    async describe(cluster) {
      const eks = await client(cluster);
      const answer = await eksCall(
        `describing cluster ${cluster.name} in ${cluster.region}`,
        () => eks.send(new DescribeClusterCommand({ name: cluster.name })),
        { when: isNotFound, orElse: undefined },
      );
      return answer?.cluster ? description(cluster, answer.cluster) : undefined;
    },
    async accessEntries(cluster) {
      return accessEntryReads(await client(cluster), cluster.name);
    },
  };
}

function description(
  cluster: ClusterConfig,
  found: {
    status?: string;
    arn?: string;
    tags?: Record<string, string>;
    accessConfig?: { authenticationMode?: string };
  },
): ClusterDescription {
  // arn:aws:eks:us-east-1:123456789012:cluster/name
  const [, partition, , , accountId] = (found.arn ?? '').split(':');
  return {
    name: cluster.name,
    region: cluster.region,
    status: found.status ?? 'UNKNOWN',
    authenticationMode: authenticationModeOf(found.accessConfig?.authenticationMode),
    tags: { ...(found.tags ?? {}) },
    ...(accountId ? { accountId } : {}),
    partition: partition || partitionOf(cluster.region),
  };
}
