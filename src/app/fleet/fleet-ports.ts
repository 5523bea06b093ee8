import type { ClusterConfig } from '../../domain/config/config';
import type { FleetMember, ListedCluster, UnreachablePlace } from '../../domain/fleet/fleet-members';
import type { FleetPlace } from '../../domain/fleet/fleet-places';

/** The managed clusters now, and the places whose clusters could not be known. */
export interface FleetView {
  clusters: FleetMember[];
  unreachablePlaces: UnreachablePlace[];
}

/** Every managed cluster: those listed in the config and those the bootstrap selectors find. */
export interface Fleet {
  clusters(): Promise<FleetView>;
}

/** Lists one place: ListClusters, then DescribeCluster of the names a selector there may match. */
export interface ClusterLister {
  /** Throws when the place cannot be listed completely (role not assumable, throttled, region off). */
  list(place: FleetPlace): Promise<ListedCluster[]>;
}

/** Where each cluster's last sync result is kept: a tag on the cluster itself (`last-sync.ts`). */
export interface SyncRecords {
  record(cluster: ClusterConfig, value: string): Promise<void>;
}
