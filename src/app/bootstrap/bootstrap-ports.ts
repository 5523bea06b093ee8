import type { RbacObject } from '../../domain/bootstrap/rbac-objects';
import type { AccessConfig } from '../../domain/config/config';
import type { EksClusters } from '../access-entries/eks-ports';
import type { Clock, ClusterAccess, ClusterEndpoint } from '../ports';
import type { SecretsStore } from '../rotation/rotation-ports';
import type { ClusterResult } from '../sync/cluster-result';
import type { SyncAccessDeps } from '../sync/sync-access';

/** A cluster as an event or a person names it. */
export interface ClusterRef {
  name: string;
  region: string;
  accountId?: string;
  /** Tags from the CreateCluster request; DescribeCluster's are added when it is looked at. */
  tags?: Record<string, string>;
}

/** What the re-check queue carries: enough to look at the cluster again and to know when to give up. */
export interface RecheckMessage {
  kind: 'eks-access-sync/bootstrap-recheck';
  cluster: ClusterRef;
  /** The look this message asks for: 2 for the first re-check. */
  attempt: number;
  /** When the cluster was created: the give-up clock runs from there. */
  firstSeenAt: string;
  why: string;
  /** Why the previous look did not finish (the cluster was CREATING, access was refused, …). */
  lastReason?: string;
}

/** The function's own delay queue, and its dead-letter queue (which alarms). */
export interface RecheckQueue {
  later(message: RecheckMessage, delaySeconds: number): Promise<void>;
  deadLetter(message: RecheckMessage, reason: string): Promise<void>;
}

export type RbacOutcome = 'created' | 'updated' | 'replaced' | 'unchanged' | 'conflict';

/** The Kubernetes side of a bootstrap on one cluster. */
export interface ClusterObjects {
  /** Whether the cluster accepts this function's identity with the right to manage RBAC. */
  accepts(): Promise<boolean>;
  /** Create-or-update; an object with the name that this tool did not make here is left alone (`conflict`). */
  ensure(object: RbacObject): Promise<RbacOutcome>;
  /** Deletes what the tool made for this cluster that is not in `keep` (never a Namespace); says what. */
  prune(cluster: string, keep: readonly RbacObject[]): Promise<string[]>;
}

/** External users' kubeconfigs on one cluster (the rotation use case). */
export type ExternalUsersSetup = (
  config: AccessConfig,
  cluster: string,
  why: string,
) => Promise<ExternalUserOutcome[]>;

export interface ExternalUserOutcome {
  user: string;
  status: 'issued' | 'rotated' | 'unchanged' | 'error';
  reason?: string;
}

export interface BootstrapDeps {
  config: AccessConfig;
  eks: EksClusters;
  clusters: ClusterAccess;
  kubernetes(endpoint: ClusterEndpoint): ClusterObjects;
  recheck: RecheckQueue;
  /** The syncAccess use case's dependencies; its config is replaced by one that includes the cluster. */
  sync: SyncAccessDeps;
  /** Absent: external users are reported as not set up, and why. */
  externalUsers?: ExternalUsersSetup;
  secrets: Pick<SecretsStore, 'listManaged' | 'scheduleDeletion'>;
  /** The IAM role this function reaches clusters as (when the cluster names no role of its own). */
  functionPrincipal(): Promise<string>;
  clock: Clock;
  /** Waits while a new access entry takes effect; injected so tests need no real sleeps. */
  sleep?: (ms: number) => Promise<void>;
}

/** What one bootstrap invoke did to one cluster: the invoke result. */
export interface BootstrapResult {
  cluster: string;
  region: string;
  /** With name and region, which cluster this is: a `team-a` may exist in several accounts. */
  accountId?: string;
  status: 'bootstrapped' | 'unchanged' | 'waiting' | 'failed' | 'gave-up' | 'ignored' | 'cleaned';
  reason?: string;
  /** Why the cluster is managed: `listed in clusters`, `bootstrap selector 0 (…)`. */
  managedBy?: string;
  clusterStatus?: string;
  authenticationMode?: string;
  selfAccess?: 'granted' | 'present';
  rbac?: { created: string[]; updated: string[]; removed: string[]; unchanged: number; conflicts: string[] };
  mappings?: ClusterResult;
  externalUsers?: ExternalUserOutcome[];
  recheck?: { attempt: number; delaySeconds: number };
  secrets?: { scheduledForDeletion: string[]; recoveryWindowDays: number };
  warnings: string[];
}
