import type { AuthenticationMode } from '../../domain/access-entries/authentication-mode';
import type { ClusterBackend } from '../../domain/bootstrap/cluster-bootstrap';
import { identityOf } from '../../domain/config/cluster-identity';
import type { AccessConfig } from '../../domain/config/config';
import type { FleetMember, UnreachablePlace } from '../../domain/fleet/fleet-members';
import { type LastSync, readLastSync } from '../../domain/fleet/last-sync';
import type { EksClusters } from '../access-entries/eks-ports';
import { mapLimited } from '../map-limited';
import type { Fleet } from './fleet-ports';

/** One managed cluster as the fleet view shows it. */
export interface FleetEntry {
  cluster: string;
  region: string;
  accountId?: string;
  /** `config`, or the selector that found it. */
  foundBy: string;
  /** As configured (for found clusters: the selector's); `auto` follows the authentication mode. */
  backend: ClusterBackend;
  authenticationMode?: AuthenticationMode;
  clusterStatus?: string;
  /** Undefined: not synced since the tool started keeping it (or the tag could not be read). */
  lastSync?: LastSync;
  /** Why the cluster could not be described. */
  problem?: string;
}

/** The `{"action": "fleet"}` answer. Changes nothing. */
export interface FleetReport {
  command: 'fleet';
  why: string;
  /** Listed clusters in config order, then found ones by region, account and name. */
  fleet: FleetEntry[];
  unreachablePlaces: UnreachablePlace[];
}

export interface FleetViewDeps {
  config: AccessConfig;
  fleet?: Fleet;
  /** DescribeCluster: the authentication mode, status and the last-sync tag. */
  eks?: EksClusters;
  concurrency?: number;
}

/** Every managed cluster, how it came to be managed, and its last sync: one DescribeCluster each. */
export function fleetView(deps: FleetViewDeps) {
  return async function view(why: string): Promise<FleetReport> {
    const found = deps.fleet
      ? await deps.fleet.clusters()
      : {
          clusters: deps.config.clusters.map((cluster) => ({ cluster, foundBy: 'config' })),
          unreachablePlaces: [],
        };
    const fleet = await mapLimited(found.clusters, deps.concurrency ?? 4, (m) => entryOf(deps, m));
    return { command: 'fleet', why, fleet, unreachablePlaces: found.unreachablePlaces };
  };
}

async function entryOf(deps: FleetViewDeps, member: FleetMember): Promise<FleetEntry> {
  const { cluster, foundBy } = member;
  const id = identityOf(cluster);
  const entry: FleetEntry = {
    cluster: cluster.name,
    region: cluster.region,
    ...(id.accountId ? { accountId: id.accountId } : {}),
    foundBy,
    backend: cluster.backend,
  };
  if (!deps.eks) return { ...entry, problem: 'this run has no EKS access to describe the cluster' };
  try {
    const described = await deps.eks.describe(cluster);
    if (!described) return { ...entry, problem: `EKS has no cluster ${cluster.name} in ${cluster.region}` };
    const lastSync = readLastSync(described.tags);
    return {
      ...entry,
      ...(!entry.accountId && described.accountId ? { accountId: described.accountId } : {}),
      authenticationMode: described.authenticationMode,
      clusterStatus: described.status,
      ...(lastSync ? { lastSync } : {}),
    };
  } catch (error) {
    return { ...entry, problem: (error as Error).message };
  }
}
