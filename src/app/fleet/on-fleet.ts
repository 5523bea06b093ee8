import type { AccessConfig } from '../../domain/config/config';
import { type UnreachablePlace, withFleet } from '../../domain/fleet/fleet-members';
import type { Fleet } from './fleet-ports';

/**
 * The config a use case runs on: its `clusters` are the fleet's (listed and found). Without a
 * fleet (a bootstrap's own sync of one cluster, older tests), the config's clusters as they are.
 */
export async function onFleet(
  config: AccessConfig,
  fleet: Fleet | undefined,
): Promise<{ config: AccessConfig; unreachablePlaces: UnreachablePlace[] }> {
  if (!fleet) return { config, unreachablePlaces: [] };
  const view = await fleet.clusters();
  return { config: withFleet(config, view.clusters), unreachablePlaces: view.unreachablePlaces };
}
