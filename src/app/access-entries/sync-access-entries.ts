import { desiredAccessEntries, isOwned, managedTag } from '../../domain/access-entries/access-entries';
import {
  type AccessEntryChange,
  type AccessEntryPlan,
  describeAccessEntryPlan,
  planAccessEntries,
} from '../../domain/access-entries/access-entry-plan';
import { principalIdTag } from '../../domain/access-entries/principal-id';
import {
  adminGrantTag,
  grantsClusterAdmin,
  protectedBecause,
} from '../../domain/access-entries/protected-entries';
import { desiredEntries } from '../../domain/aws-auth/desired-state';
import type { ClusterConfig } from '../../domain/config/config';
import { mapLimited } from '../map-limited';
import { type ClusterResult, emptyResult } from '../sync/cluster-result';
import type { ClusterSyncRequest, SyncDeps } from '../sync/sync-cluster';
import type { AccessEntryStore, EksClusters } from './eks-ports';
import { currentPrincipalIds, type PrincipalIds } from './principal-ids';

export interface AccessEntriesDeps extends SyncDeps {
  eks: EksClusters;
  /** IAM's unique ids, to record on the entries made and to find those made for a recreated principal. */
  principals?: PrincipalIds;
}

/** Some changes of an access-entry plan were applied, then one failed; deletions come last, so none of them ran. */
export class AccessEntryApplyError extends Error {
  override name = 'AccessEntryApplyError';
}

export interface AccessEntrySide {
  plan: AccessEntryPlan;
  warnings: string[];
  /** The plan was applied completely (false in plan mode). */
  applied: boolean;
}

/**
 * The access-entries backend: the same desired state as aws-auth, as EKS access entries tagged as
 * this tool's. Entries without the tag are never changed or deleted.
 */
export async function syncAccessEntries(
  deps: AccessEntriesDeps,
  cluster: ClusterConfig,
  request: ClusterSyncRequest,
): Promise<ClusterResult> {
  try {
    const side = await accessEntrySide(deps, cluster, request);
    return summarizeAccessEntries(cluster.name, side, request.apply);
  } catch (error) {
    return emptyResult(cluster.name, 'error', (error as Error).message);
  }
}

/** Read → plan → (apply): the access-entry half of a sync, shared with the migration. */
export async function accessEntrySide(
  deps: AccessEntriesDeps,
  cluster: ClusterConfig,
  request: ClusterSyncRequest,
): Promise<AccessEntrySide> {
  const store = await deps.eks.accessEntries(cluster);
  const { entries: desired, warnings } = desiredAccessEntries(
    desiredEntries(deps.config, cluster.name, request.members),
  );
  const current = await store.list();
  const wanted = new Set(desired.map((d) => d.key));
  const adopt = deps.config.settings.adoptUnownedEntries;
  // Policies are read only where the plan compares them: this tool's entries and those it may adopt.
  await mapLimited(
    current.filter((e) => isOwned(e) || (adopt && e.type === 'STANDARD' && wanted.has(e.key))),
    deps.concurrency ?? 4,
    async (entry) => {
      entry.policies = await store.policies(entry.principalArn);
    },
  );
  const inScope = desired.filter((d) => !request.scope || request.scope.has(d.key));
  const ids = await currentPrincipalIds(deps.principals, inScope, deps.concurrency ?? 4);
  warnings.push(...ids.warnings);
  const plan = planAccessEntries(current, desired, {
    principalIds: ids.ids,
    adoptUnownedEntries: adopt,
    maxRemovalShare: deps.config.settings.maxRemovalShare,
    force: request.force,
    ...(request.scope ? { scope: request.scope } : {}),
  });
  if (!request.apply || plan.changes.length === 0) return { plan, warnings, applied: false };
  await applyAccessEntryPlan(store, plan, cluster);
  return { plan, warnings, applied: true };
}

/** Creates and updates first, deletions last: a failure part-way never leaves anyone with less access first. */
async function applyAccessEntryPlan(
  store: AccessEntryStore,
  plan: AccessEntryPlan,
  cluster: ClusterConfig,
): Promise<void> {
  const ordered = [
    ...plan.changes.filter((c) => c.action !== 'delete'),
    ...plan.changes.filter((c) => c.action === 'delete'),
  ];
  let done = 0;
  try {
    for (const change of ordered) {
      await applyChange(store, change);
      done++;
    }
  } catch (error) {
    throw new AccessEntryApplyError(
      `access entries of cluster ${cluster.name}: ${done} of ${ordered.length} changes applied, then ` +
        `${ordered[done]?.action} ${ordered[done]?.principalArn} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function applyChange(store: AccessEntryStore, change: AccessEntryChange): Promise<void> {
  const { principalArn, after } = change;
  if (change.action === 'delete') {
    await store.delete(principalArn);
    return;
  }
  if (!after) return;
  // The old entry lets no one in any more (EKS bound it to the earlier principal's id): nothing is lost in between.
  if (change.action === 'replace') await store.delete(principalArn);
  if (change.action === 'create' || change.action === 'replace') {
    const tags = {
      [managedTag.key]: managedTag.value,
      ...(grantsClusterAdmin(after.policies) ? { [adminGrantTag.key]: adminGrantTag.granted } : {}),
      ...(change.principalId ? { [principalIdTag]: change.principalId } : {}),
    };
    const outcome = await store.create(principalArn, after, tags);
    if (outcome === 'exists') {
      // Made meanwhile (a concurrent run, a retried event): converge on it if it is ours, else leave it.
      const entry = await store.get(principalArn);
      if (!entry || !isOwned(entry)) return;
      const policies = await store.policies(principalArn);
      if (protectedBecause({ ...entry, policies }, after)) return;
      await store.update(principalArn, after);
      for (const p of policies)
        if (!after.policies.some((a) => a.policy === p.policy))
          await store.disassociate(principalArn, p.policy);
    }
  } else {
    if (change.adopt) await store.tag(principalArn, { [managedTag.key]: managedTag.value });
    if (change.principalId) await store.tag(principalArn, { [principalIdTag]: change.principalId });
    if (change.recordAdmin === 'granted')
      await store.tag(principalArn, { [adminGrantTag.key]: adminGrantTag.granted });
    if (change.updateEntry) await store.update(principalArn, after);
    for (const policy of change.disassociate) await store.disassociate(principalArn, policy);
    // Only once the cluster-admin is gone: a revoked record on an entry still admin would protect it.
    if (change.recordAdmin === 'revoked')
      await store.tag(principalArn, { [adminGrantTag.key]: adminGrantTag.revoked });
  }
  const associate = change.action === 'update' ? change.associate : after.policies;
  for (const policy of associate) await store.associate(principalArn, policy);
}

export function summarizeAccessEntries(
  cluster: string,
  side: AccessEntrySide,
  apply: boolean,
): ClusterResult {
  const { plan } = side;
  const result = emptyResult(cluster, 'unchanged');
  for (const change of plan.changes) {
    if (change.action === 'create') result.added.push(change.principalArn);
    else if (change.action === 'delete') result.removed.push(change.principalArn);
    else result.changed.push(change.principalArn);
  }
  result.unchanged = plan.unchanged;
  result.conflicts = plan.conflicts.map(
    (c) => `${c.principalArn}: an access entry not created by this tool exists; left as it is`,
  );
  result.conflicts.push(...plan.protected.map((p) => `${p.principalArn}: left as it is, ${p.reason}`));
  result.withheld = plan.withheld.map((c) => c.principalArn);
  result.warnings = side.warnings;
  result.diff = describeAccessEntryPlan(plan);
  if (plan.refusal) result.reason = plan.refusal;
  const changed = plan.changes.length > 0;
  result.status = plan.refusal ? 'refused' : !changed ? 'unchanged' : apply ? 'updated' : 'planned';
  return result;
}
