import type { RotateTokensDeps } from '../app/rotation/rotation-ports';
import { fleetOf } from './fleet';
import { rotationClients } from './rotation-clients';
import { type Runtime, readRuntime } from './runtime';

/** rotateTokens' dependencies: its clients, and the fleet they work on (listed and found clusters). */
export function rotateTokensDeps(runtime: Runtime = readRuntime()): RotateTokensDeps {
  return { ...rotationClients(runtime), fleet: fleetOf(runtime) };
}
