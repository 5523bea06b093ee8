import { effectiveBackend } from '../../domain/access-entries/authentication-mode';
import type { ClusterMatch } from '../../domain/bootstrap/cluster-selector';
import { withCluster } from '../../domain/bootstrap/cluster-selector';
import { rbacObjects } from '../../domain/bootstrap/rbac-objects';
import type { ClusterConfig } from '../../domain/config/config';
import type { ClusterDescription } from '../access-entries/eks-ports';
import { syncAccess } from '../sync/sync-access';
import type { BootstrapDeps, BootstrapResult, ClusterObjects } from './bootstrap-ports';
import { ensureSelfAccess } from './self-access';

/** A step of a bootstrap failed; the result keeps what the earlier steps did. */
export class BootstrapStepError extends Error {
  override name = 'BootstrapStepError';
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The work on an ACTIVE cluster, each step idempotent: the function's own access, the RBAC objects,
 * the mappings (the syncAccess use case itself), then the external users (the rotation use case).
 * Fills `result` as it goes, so a failure part-way still reports what was done.
 */
export async function bootstrapActiveCluster(
  deps: BootstrapDeps,
  match: Extract<ClusterMatch, { managed: true }>,
  described: ClusterDescription,
  why: string,
  result: BootstrapResult,
): Promise<void> {
  const { cluster } = match;
  const principal = cluster.roleArn ?? (await deps.functionPrincipal());
  const kube = deps.kubernetes(await deps.clusters.endpoint(cluster));
  result.selfAccess = await ensureSelfAccess(
    deps.eks,
    cluster,
    described,
    principal,
    kube,
    deps.sleep ?? defaultSleep,
  );
  result.rbac = await ensureRbac(deps, kube, cluster.name);
  // A backend the mode cannot serve (aws-auth on an API cluster) fails here, before anything is written for it.
  effectiveBackend(cluster.backend, described.authenticationMode, cluster);
  result.mappings = await applyMappings(deps, cluster, why);
  if (result.mappings.status === 'error') {
    throw new BootstrapStepError(
      `mappings on cluster ${cluster.name}: ${result.mappings.reason ?? 'failed'}`,
    );
  }
  if (!deps.externalUsers) {
    if (deps.config.externalUsers.length > 0)
      result.warnings.push('external users not set up: this run has no rotation use case');
    return;
  }
  result.externalUsers = await deps.externalUsers(withCluster(deps.config, cluster), cluster.name, why);
  const failed = result.externalUsers.filter((u) => u.status === 'error');
  if (failed.length > 0) {
    throw new BootstrapStepError(
      `external users on cluster ${cluster.name}: ${failed.map((u) => `${u.user}: ${u.reason ?? 'failed'}`).join('; ')}`,
    );
  }
}

/** Creates or updates what the config names, then removes what it made here that the config no longer names. */
async function ensureRbac(
  deps: BootstrapDeps,
  kube: ClusterObjects,
  cluster: string,
): Promise<NonNullable<BootstrapResult['rbac']>> {
  const done: NonNullable<BootstrapResult['rbac']> = {
    created: [],
    updated: [],
    removed: [],
    unchanged: 0,
    conflicts: [],
  };
  const objects = rbacObjects(deps.config.bootstrap?.rbac ?? { clusterRoles: [], bindings: [] }, cluster);
  // In order: namespaces before the RoleBindings in them.
  for (const object of objects) {
    const name = `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
    const outcome = await kube.ensure(object);
    if (outcome === 'created') done.created.push(name);
    else if (outcome === 'updated' || outcome === 'replaced') done.updated.push(name);
    else if (outcome === 'conflict') {
      done.conflicts.push(`${name}: exists and was not made by eks-access-sync for this cluster; left alone`);
    } else done.unchanged++;
  }
  // Last, so that a binding moved to another role is in place before the old one goes.
  done.removed = await kube.prune(cluster, objects);
  return done;
}

/** The same reconcile a schedule or `{"action": "apply"}` runs, for this one cluster. */
async function applyMappings(deps: BootstrapDeps, cluster: ClusterConfig, why: string) {
  const config = withCluster(deps.config, cluster);
  // Only this cluster, which the config now names: no discovery of the rest of the fleet.
  const summary = await syncAccess({ ...deps.sync, config, fleet: undefined })({
    kind: 'reconcile',
    apply: true,
    force: false,
    clusters: [cluster.name],
    why,
  });
  const [mappings] = summary.clusters;
  if (!mappings) throw new BootstrapStepError(`mappings on cluster ${cluster.name}: no result`);
  return mappings;
}
