import { clustersOf, legacySecretNameFor } from '../../domain/rotation/external-users';
import { offboardingPlan } from '../../domain/rotation/rotation-ownership';
import type { RotateTokensDeps, StoredSecret } from './rotation-ports';
import type { OpenCluster } from './rotation-target';

/** What offboarding did on one cluster: part of the invoke result. */
export interface OffboardResult {
  cluster: string;
  status: 'offboarded' | 'unchanged' | 'error';
  /** `namespace/name` of the ServiceAccounts deleted (every token of theirs stopped working). */
  serviceAccounts: string[];
  /** Secrets scheduled for deletion, recoverable for the recovery window. */
  secrets: string[];
  reason?: string;
}

/**
 * Removes what the tool made for users the config no longer lists on this cluster: their
 * ServiceAccounts (with bindings and bound Secrets) and their kubeconfig secrets, which stay
 * recoverable for the recovery window. Only objects carrying the tool's mark for this cluster
 * are candidates: its name on the cluster's own objects, its name, region and account on secrets.
 */
export async function offboard(
  deps: RotateTokensDeps,
  open: OpenCluster,
  managedSecrets: readonly StoredSecret[],
): Promise<OffboardResult> {
  const result: OffboardResult = {
    cluster: open.cluster.name,
    status: 'unchanged',
    serviceAccounts: [],
    secrets: [],
  };
  const names = deps.config.clusters.map((c) => c.name);
  const users = deps.config.externalUsers.filter((u) => clustersOf(u, names).includes(open.cluster.name));
  try {
    const plan = offboardingPlan(
      open.cluster,
      users,
      await open.access.managedServiceAccounts(),
      managedSecrets,
    );
    for (const account of plan.accounts) {
      await open.access.offboard(account);
      result.serviceAccounts.push(`${account.namespace}/${account.name}`);
    }
    // A secret named the old way stays in use for its cluster (rotation-target.ts): never offboarded here.
    const inUse = new Set(users.map((u) => legacySecretNameFor(u, open.cluster)));
    for (const secret of plan.secrets.filter((s) => !inUse.has(s.name))) {
      await deps.secrets.scheduleDeletion(secret.arn || secret.name, deps.recoveryWindowDays ?? 7);
      result.secrets.push(secret.name);
    }
  } catch (error) {
    return {
      ...result,
      status: 'error',
      reason: `offboarding on ${open.cluster.name}: ${(error as Error).message}`,
    };
  }
  const changed = result.serviceAccounts.length + result.secrets.length > 0;
  return { ...result, status: changed ? 'offboarded' : 'unchanged' };
}
