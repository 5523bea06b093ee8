import type { EksClusters } from '../app/access-entries/eks-ports';
import { accessEntryStore } from './eks-access-entries';
import { type EksClustersOptions, eksClientFor, eksClusterReads, partitionOf } from './eks-cluster-reads';

export { type EksClustersOptions, partitionOf } from './eks-cluster-reads';

/** DescribeCluster and access entries (read and written) over EKS, in the cluster's account (its role assumed). */
export function eksClusters(options: EksClustersOptions = {}): EksClusters {
  const client = eksClientFor(options);
  return {
    describe: eksClusterReads(options, client).describe,
    async accessEntries(cluster) {
      return accessEntryStore(await client(cluster), cluster.name, partitionOf(cluster.region));
    },
  };
}
