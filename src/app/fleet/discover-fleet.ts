import type { AccessConfig } from '../../domain/config/config';
import { fleetMembers, type PlaceListing } from '../../domain/fleet/fleet-members';
import { type FleetPlace, fleetPlaces, placeKey } from '../../domain/fleet/fleet-places';
import { mapLimited } from '../map-limited';
import type { Clock } from '../ports';
import type { ClusterLister, Fleet } from './fleet-ports';

export interface DiscoveryDeps {
  config: AccessConfig;
  lister: ClusterLister;
  clock: Clock;
  /** Where a selector without `regions` looks: the function's own region. */
  homeRegion: string;
  /** How long a place's listing is reused by later invocations of a warm function. */
  ttlSeconds?: number;
  /** Places listed at once. */
  concurrency?: number;
}

/** A minute: a new cluster waits at most that long for its first membership event to reach it. */
export const defaultFleetTtlSeconds = 60;

interface CachedListing {
  at: number;
  listing: Promise<PlaceListing>;
}

/**
 * The fleet, found by listing the selectors' places. A place's listing is shared by every caller
 * while in flight and reused for `ttlSeconds`, so a burst of events costs one ListClusters per
 * account and region. A place that failed is listed again by the next caller: its failure is
 * reported, never remembered as an empty place.
 */
export function discoveredFleet(deps: DiscoveryDeps): Fleet {
  const places = fleetPlaces(deps.config, deps.homeRegion);
  const ttl = (deps.ttlSeconds ?? defaultFleetTtlSeconds) * 1000;
  const cache = new Map<string, CachedListing>();

  function listingOf(place: FleetPlace): Promise<PlaceListing> {
    const key = placeKey(place);
    const now = deps.clock.now().getTime();
    const cached = cache.get(key);
    if (cached && now - cached.at < ttl) return cached.listing;
    const listing: Promise<PlaceListing> = deps.lister.list(place).then(
      (clusters) => ({ place, clusters }),
      (error: unknown) => {
        if (cache.get(key)?.listing === listing) cache.delete(key);
        return { place, error: error instanceof Error ? error.message : String(error) };
      },
    );
    cache.set(key, { at: now, listing });
    return listing;
  }

  return {
    async clusters() {
      const listings = await mapLimited(places, deps.concurrency ?? 8, listingOf);
      const { members, unreachablePlaces } = fleetMembers(deps.config, listings);
      return { clusters: members, unreachablePlaces };
    },
  };
}
