import { eksClusterLister } from '../adapters/eks-cluster-list';
import { discoveredFleet } from '../app/fleet/discover-fleet';
import type { Fleet } from '../app/fleet/fleet-ports';
import type { Runtime } from './runtime';

/**
 * The fleet a function works on: the config's clusters and those its bootstrap selectors find in
 * their accounts and regions. Built once per function instance, so a warm function reuses what it
 * listed for a minute.
 */
export function fleetOf(runtime: Runtime): Fleet {
  return discoveredFleet({
    config: runtime.config,
    lister: eksClusterLister({ awsEndpoint: runtime.aws.endpoint, credentials: runtime.aws.credentials }),
    clock: { now: () => new Date() },
    homeRegion: runtime.region,
  });
}
