import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { callerRoleArn } from '../adapters/caller-identity';
import { clusterAccess } from '../adapters/cluster-access';
import { syncRecordsOnEks } from '../adapters/eks-cluster-tags';
import { eksClusters } from '../adapters/eks-clusters';
import { iamDirectory } from '../adapters/iam-directory';
import { iamPrincipals } from '../adapters/iam-principals';
import { iamSsoRoles } from '../adapters/iam-sso-roles';
import type { SyncAccessDeps } from '../app/sync/sync-access';
import { type Runtime, readRuntime } from './runtime';

/**
 * syncAccess' clients without the fleet: IAM, and the clusters (aws-auth, or access entries through
 * EKS). bootstrapCluster syncs the one cluster it sets up with these, and lists nothing.
 */
export function syncClients(runtime: Runtime = readRuntime()): SyncAccessDeps {
  // IAM is global; its API lives in us-east-1 (aws partition).
  const iam = new IAMClient({ region: 'us-east-1', maxAttempts: 5, ...runtime.aws });
  const caller = callerRoleArn(new STSClient({ region: runtime.region, maxAttempts: 5, ...runtime.aws }));
  return {
    config: runtime.config,
    // Each cluster's last sync, as a tag on the cluster, for the fleet view.
    records: syncRecordsOnEks({ awsEndpoint: runtime.aws.endpoint, credentials: runtime.aws.credentials }),
    clock: { now: () => new Date() },
    iam: iamDirectory(iam),
    // Unique ids of the principals given access entries; IAM answers for this account's only.
    principals: iamPrincipals(iam, async () => (await caller()).split(':')[4]),
    clusters: clusterAccess(runtime.clusterAccess),
    // DescribeCluster and access entries, for clusters whose backend is not configMap.
    eks: eksClusters({ awsEndpoint: runtime.aws.endpoint, credentials: runtime.aws.credentials }),
    // IAM Identity Center roles in each cluster's account, for `permissionSet` mappings.
    ssoRoles: iamSsoRoles({ awsEndpoint: runtime.aws.endpoint, credentials: runtime.aws.credentials }),
    maxAttempts: runtime.env.MAX_WRITE_ATTEMPTS,
    concurrency: runtime.env.CLUSTER_CONCURRENCY,
  };
}
