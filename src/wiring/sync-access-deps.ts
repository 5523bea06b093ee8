import type { SyncAccessDeps } from '../app/sync/sync-access';
import { fleetOf } from './fleet';
import { type Runtime, readRuntime } from './runtime';
import { syncClients } from './sync-clients';

/** syncAccess' dependencies: its clients, and the fleet they work on (listed and found clusters). */
export function syncAccessDeps(runtime: Runtime = readRuntime()): SyncAccessDeps {
  return { ...syncClients(runtime), fleet: fleetOf(runtime) };
}
