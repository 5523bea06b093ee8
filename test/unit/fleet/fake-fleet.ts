import type { Fleet, FleetView } from '../../../src/app/fleet/fleet-ports';
import { matchCluster } from '../../../src/domain/bootstrap/cluster-selector';
import type { AccessConfig } from '../../../src/domain/config/config';
import type { UnreachablePlace } from '../../../src/domain/fleet/fleet-members';

/**
 * A fleet port in memory: the config's clusters plus the given clusters as a selector finds them
 * (so they carry its role, backend and `foundBy`), and places reported unreachable. Counts calls.
 */
export function fakeFleet(
  config: AccessConfig,
  found: { name: string; region: string; accountId: string; tags?: Record<string, string> }[],
  unreachablePlaces: UnreachablePlace[] = [],
) {
  let calls = 0;
  const view = (): FleetView => ({
    clusters: [
      ...config.clusters.map((cluster) => ({ cluster, foundBy: 'config' })),
      ...found.map((seen) => {
        const match = matchCluster(config, seen);
        if (!match.managed) throw new Error(`fake fleet: ${match.reason}`);
        return { cluster: match.cluster, foundBy: match.by, status: 'ACTIVE' };
      }),
    ],
    unreachablePlaces,
  });
  const fleet: Fleet = {
    async clusters() {
      calls++;
      return view();
    },
  };
  return { fleet, calls: () => calls };
}
