import type { AuthenticationMode } from '../access-entries/authentication-mode';
import { matchCluster } from '../bootstrap/cluster-selector';
import { type ClusterIdentity, identityOf } from '../config/cluster-identity';
import type { AccessConfig, ClusterConfig } from '../config/config';
import { type FleetPlace, placeKey, showPlace } from './fleet-places';

/** A cluster as a listing found it: ListClusters names it, DescribeCluster tells the rest. */
export interface ListedCluster {
  name: string;
  region: string;
  accountId?: string;
  status: string;
  authenticationMode: AuthenticationMode;
  tags: Record<string, string>;
}

/** What listing one place gave: its clusters, or why it could not be listed. */
export type PlaceListing =
  | { place: FleetPlace; clusters: ListedCluster[] }
  | { place: FleetPlace; error: string };

/** A place that could not be listed: its clusters are neither synced nor ever taken for gone. */
export interface UnreachablePlace {
  accountId?: string;
  region: string;
  /** `account 111122223333 in eu-west-1: assuming …: AccessDenied: …` */
  reason: string;
}

/** One managed cluster, and how the tool came to manage it. */
export interface FleetMember {
  cluster: ClusterConfig;
  /** `config`, or the selector that found it (`bootstrap selector 0 (namePattern team-*)`). */
  foundBy: string;
  /** From DescribeCluster, for clusters a listing found (listed ones are not described by discovery). */
  status?: string;
  authenticationMode?: AuthenticationMode;
}

export interface FleetMembers {
  members: FleetMember[];
  unreachablePlaces: UnreachablePlace[];
}

/** Clusters a sync can work on; CREATING ones are bootstrap's, DELETING and FAILED ones leave the fleet. */
const workable = new Set(['ACTIVE', 'UPDATING']);

/**
 * The fleet: every cluster of `clusters:` in config order, then every workable cluster a listing
 * found that a selector matches and that is not one of those, by region, account and name. A place that
 * could not be listed is reported, never read as empty.
 */
export function fleetMembers(config: AccessConfig, listings: readonly PlaceListing[]): FleetMembers {
  const found: FleetMember[] = [];
  const unreachablePlaces: UnreachablePlace[] = [];
  const seen = new Set<string>();
  for (const listing of listings) {
    if ('error' in listing) {
      const { accountId, region } = listing.place;
      unreachablePlaces.push({
        ...(accountId ? { accountId } : {}),
        region,
        reason: `${showPlace(listing.place)}: ${listing.error}`,
      });
      continue;
    }
    for (const listed of listing.clusters) {
      if (!workable.has(listed.status)) continue;
      const accountId = listed.accountId ?? listing.place.accountId;
      const match = matchCluster(config, {
        name: listed.name,
        region: listed.region,
        tags: listed.tags,
        ...(accountId ? { accountId } : {}),
      });
      if (!match.managed || match.listed) continue;
      const key = identityKey(identityOf(match.cluster));
      if (seen.has(key)) continue; // two selectors' places of one account (with and without its id)
      seen.add(key);
      found.push({
        cluster: match.cluster,
        foundBy: match.by,
        status: listed.status,
        authenticationMode: listed.authenticationMode,
      });
    }
  }
  return {
    members: [
      ...config.clusters.map((cluster) => ({ cluster, foundBy: 'config' })),
      ...found.sort((a, b) => compare(sortKey(a.cluster), sortKey(b.cluster))),
    ],
    unreachablePlaces: unreachablePlaces.sort((a, b) => compare(placeKey(a), placeKey(b))),
  };
}

/** The config whose clusters are the fleet's: every use case then works on it as it did on `clusters:`. */
export function withFleet(config: AccessConfig, members: readonly FleetMember[]): AccessConfig {
  const extra = members
    .map((m) => m.cluster)
    .filter((c) => !config.clusters.some((listed) => sameIdentity(listed, c)));
  return extra.length === 0 ? config : { ...config, clusters: [...config.clusters, ...extra] };
}

function sameIdentity(a: ClusterConfig, b: ClusterConfig): boolean {
  return identityKey(identityOf(a)) === identityKey(identityOf(b));
}

function identityKey(id: ClusterIdentity): string {
  return `${id.accountId ?? ''}/${id.region}/${id.name}`;
}

function sortKey(cluster: ClusterConfig): string {
  const id = identityOf(cluster);
  return `${id.region}/${id.accountId ?? ''}/${id.name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
