import {
  type AssociatedPolicy,
  clusterAdminPolicy,
  samePolicy,
} from '../../domain/access-entries/access-entries';
import { allowsAccessEntries, noSelfAccessMessage } from '../../domain/access-entries/authentication-mode';
import type { ClusterConfig } from '../../domain/config/config';
import { DomainError } from '../../domain/errors';
import type { ClusterDescription, EksClusters } from '../access-entries/eks-ports';
import type { ClusterObjects } from './bootstrap-ports';

/** The tag on the function's own access entry: not `managed`, so no sync ever plans to delete it. */
export const selfAccessTag = { key: 'eks-access-sync.io/self-access', value: 'true' } as const;

/** The cluster does not let this function in, and the function cannot let itself in. */
export class NoSelfAccessError extends DomainError {
  override name = 'NoSelfAccessError';
}

/** An access entry was just granted and EKS has not applied it yet: look again later. */
export class SelfAccessPendingError extends DomainError {
  override name = 'SelfAccessPendingError';
}

const admin: AssociatedPolicy = { policy: clusterAdminPolicy, scope: 'cluster' };

/**
 * Makes sure the function can manage the cluster. Where the authentication mode allows the API, it
 * grants itself an access entry with cluster-admin (idempotent: an existing entry, such as the
 * creator's, is kept and only completed). In CONFIG_MAP mode it can only check: when the cluster
 * does not accept it, the error names the cluster, its mode and the command an administrator runs.
 */
export async function ensureSelfAccess(
  eks: EksClusters,
  cluster: ClusterConfig,
  described: ClusterDescription,
  principalArn: string,
  kube: ClusterObjects,
  sleep: (ms: number) => Promise<void>,
): Promise<'granted' | 'present'> {
  if (!allowsAccessEntries(described.authenticationMode)) {
    if (await kube.accepts()) return 'present';
    throw new NoSelfAccessError(noSelfAccessMessage(cluster, described.authenticationMode, principalArn));
  }
  const store = await eks.accessEntries(cluster);
  let granted = false;
  if (!(await store.get(principalArn))) {
    granted =
      (await store.create(principalArn, { groups: [] }, { [selfAccessTag.key]: selfAccessTag.value })) ===
      'created';
  }
  const policies = await store.policies(principalArn);
  if (!policies.some((p) => samePolicy(p, admin))) {
    await store.associate(principalArn, admin);
    granted = true;
  }
  if (!granted) return 'present';
  // EKS applies a new access entry within seconds; a few short looks spare a 5-minute re-check.
  for (let look = 0; look < 5; look++) {
    if (await kube.accepts()) return 'granted';
    await sleep(3_000);
  }
  throw new SelfAccessPendingError(
    `cluster ${cluster.name}: access entry for ${principalArn} granted; EKS has not applied it yet`,
  );
}
