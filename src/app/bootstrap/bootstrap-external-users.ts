import { clustersOf } from '../../domain/rotation/external-users';
import { type RotateTokensSummary, rotateTokens } from '../rotation/rotate-tokens';
import type { RotateTokensDeps } from '../rotation/rotation-ports';
import type { ExternalUserOutcome, ExternalUsersSetup } from './bootstrap-ports';

/**
 * External users on a newly bootstrapped cluster through the rotation use case itself: a manual
 * rotation per user, not forced, so the first run issues each kubeconfig and a repeated one
 * changes nothing while the tokens are fresh.
 */
export function externalUsersByRotation(deps: RotateTokensDeps): ExternalUsersSetup {
  return async (config, cluster, why) => {
    const names = config.clusters.map((c) => c.name);
    const users = config.externalUsers.filter((u) => clustersOf(u, names).includes(cluster));
    // Only this cluster, which the config now names: no discovery of the rest of the fleet.
    const run = rotateTokens({ ...deps, config, fleet: undefined });
    const outcomes: ExternalUserOutcome[] = [];
    for (const user of users) {
      const summary = (await run({
        kind: 'manual',
        user: user.name,
        cluster,
        force: false,
        why,
      })) as RotateTokensSummary;
      for (const r of summary.users) {
        outcomes.push({ user: r.user, status: r.status, ...(r.reason ? { reason: r.reason } : {}) });
      }
    }
    return outcomes;
  };
}
