import type { GroupMembers } from '../../domain/aws-auth/desired-state';
import { nextAwsAuth } from '../../domain/aws-auth/next-aws-auth';
import type { AwsAuthPlan } from '../../domain/aws-auth/plan';
import { describePlan } from '../../domain/aws-auth/plan-text';
import type { AccessConfig, ClusterConfig } from '../../domain/config/config';
import { AwsAuthParseError, DomainError } from '../../domain/errors';
import { type Clock, type ClusterAccess, WriteConflictError } from '../ports';
import { type ClusterResult, emptyResult } from './cluster-result';

export interface SyncDeps {
  config: AccessConfig;
  clusters: ClusterAccess;
  /** Waits before a retry after a conflict; injected so tests run without real sleeps. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Now, for the mass-removal guard's window; the system clock when absent. */
  clock?: Clock;
  maxAttempts?: number;
  concurrency?: number;
}

export interface ClusterSyncRequest {
  apply: boolean;
  force: boolean;
  members: GroupMembers;
  /** Only these entry keys (one user's, after a membership event). */
  scope?: ReadonlySet<string>;
  /** Entry keys served by access entries now (a migration): their owned aws-auth entries are removed. */
  exclude?: ReadonlySet<string>;
  /** aws-auth only keeps or loses the entries this tool owns there, never gains one (access entries serve the cluster). */
  onlyOwned?: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Read → parse → plan → encode → write with the resourceVersion read; on a conflict, re-read and
 * re-plan (bounded, with jitter). A ConfigMap that does not parse is never written over.
 */
export async function syncCluster(
  deps: SyncDeps,
  cluster: ClusterConfig,
  request: ClusterSyncRequest,
): Promise<ClusterResult> {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const maxAttempts = deps.maxAttempts ?? 6;
  try {
    const store = await deps.clusters.awsAuth(cluster);
    for (let attempt = 1; ; attempt++) {
      const current = await store.read();
      const now = deps.clock?.now() ?? new Date();
      const next = nextAwsAuth(deps.config, cluster.name, current, request.members, { ...request, now });
      const { plan } = next;
      const result = summarize(cluster.name, plan, next.current.warnings);
      if (!next.changes) return { ...result, status: plan.refusal ? 'refused' : 'unchanged' };
      if (!request.apply) return { ...result, status: 'planned' };
      await store.saveBackup(next.record.text);
      try {
        await store.write(current, next.data, next.annotations);
        return { ...result, status: plan.refusal ? 'refused' : 'updated', conflictRetries: attempt - 1 };
      } catch (error) {
        if (!(error instanceof WriteConflictError) || attempt >= maxAttempts) throw error;
        // Full jitter: concurrent writers spread out instead of colliding again in step.
        await sleep(random() * Math.min(2000, 50 * 2 ** attempt));
      }
    }
  } catch (error) {
    const status = error instanceof AwsAuthParseError ? 'refused' : 'error';
    const reason =
      error instanceof WriteConflictError
        ? `aws-auth kept changing under us: gave up after ${maxAttempts} attempts, nothing lost`
        : error instanceof DomainError || error instanceof Error
          ? error.message
          : String(error);
    return emptyResult(cluster.name, status, reason);
  }
}

function summarize(cluster: string, plan: AwsAuthPlan, warnings: string[]): ClusterResult {
  const result = emptyResult(cluster, 'unchanged');
  for (const change of plan.changes) {
    if (!change.before) result.added.push(change.arn);
    else if (!change.after) result.removed.push(change.arn);
    else result.changed.push(change.arn);
  }
  result.unchanged = plan.unchanged;
  result.conflicts = plan.conflicts.map(
    (c) => `${c.arn}: an entry not written by this tool exists; left as it is`,
  );
  result.drifted = plan.drifted.map(
    (d) => `${d.arn}: changed by someone else; ${driftOutcome[d.resolution]}`,
  );
  result.withheld = plan.withheld.map((c) => c.arn);
  result.warnings = [
    ...warnings,
    ...plan.ignoredClaims.map((c) => `${c.arn}: ownership claim ignored, ${c.why}; left as it is`),
    ...plan.unwritable.map((c) => `${c.arn}: not written, ${c.why}`),
  ];
  result.diff = describePlan(plan);
  if (plan.refusal) result.reason = plan.refusal;
  return result;
}

const driftOutcome = {
  reported: 'left as it is (settings.onDrift: report)',
  restored: 'restored to what the config wants (settings.onDrift: restore)',
  released: 'theirs now, no longer managed by this tool (settings.onDrift: release)',
} as const;
