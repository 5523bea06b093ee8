import type { Middleware } from '@kubernetes/client-node';
import { requestCounter } from '../src/adapters/kubernetes/kube-api';
import { type AwsAuthStore, type ClusterAccess, WriteConflictError } from '../src/app/ports';
import type { ClusterConfig } from '../src/domain/config/config';

/**
 * What one cluster's aws-auth saw: store calls counted where the use case talks to its store,
 * HTTP requests beneath it in the Kubernetes clients.
 */
export class KubeTally {
  reads = 0;
  /** aws-auth PUTs/POSTs that landed. */
  writes = 0;
  /** aws-auth PUTs/POSTs sent, including those answered 409. */
  writeAttempts = 0;
  conflicts = 0;
  /** Backup ConfigMap PUTs (one before every write attempt, for rollback). */
  backups = 0;
  /** Summed durations of the store calls (overlapping calls add up: a breakdown, not wall time). */
  readMs = 0;
  writeMs = 0;
  backupMs = 0;
  /** Counts beneath the port, in the clients of every aws-auth store opened on this cluster. */
  private readonly counter = requestCounter();

  /** Every HTTP request to the apiserver: reads, backups, writes, retries. */
  get requests(): number {
    return this.counter.requests;
  }

  /** What the cluster's Kubernetes clients must carry for `requests` to count them. */
  get middleware(): Middleware {
    return this.counter.middleware;
  }

  track(store: AwsAuthStore): AwsAuthStore {
    const tally = this;
    return {
      async read() {
        tally.reads++;
        const started = performance.now();
        try {
          return await store.read();
        } finally {
          tally.readMs += performance.now() - started;
        }
      },
      async write(base, data, annotations) {
        tally.writeAttempts++;
        const started = performance.now();
        try {
          await store.write(base, data, annotations);
          tally.writes++;
        } catch (error) {
          if (error instanceof WriteConflictError) tally.conflicts++;
          throw error;
        } finally {
          tally.writeMs += performance.now() - started;
        }
      },
      async saveBackup(snapshot) {
        tally.backups++;
        const started = performance.now();
        try {
          return await store.saveBackup(snapshot);
        } finally {
          tally.backupMs += performance.now() - started;
        }
      },
      readBackup: () => store.readBackup(),
    };
  }

  snapshot() {
    return {
      requests: this.requests,
      reads: this.reads,
      writes: this.writes,
      writeAttempts: this.writeAttempts,
      conflicts: this.conflicts,
      backups: this.backups,
      readMs: this.readMs,
      writeMs: this.writeMs,
      backupMs: this.backupMs,
    };
  }
}

export type TallySnapshot = ReturnType<KubeTally['snapshot']>;

export function tallyDelta(after: TallySnapshot, before: TallySnapshot): TallySnapshot {
  return {
    requests: after.requests - before.requests,
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
    writeAttempts: after.writeAttempts - before.writeAttempts,
    conflicts: after.conflicts - before.conflicts,
    backups: after.backups - before.backups,
    readMs: Math.round(after.readMs - before.readMs),
    writeMs: Math.round(after.writeMs - before.writeMs),
    backupMs: Math.round(after.backupMs - before.backupMs),
  };
}

/**
 * The production cluster access with every store counted, per cluster name: `make` builds it with
 * the middleware that counts each cluster's requests.
 */
export function countedClusters(
  make: (kubeMiddleware: (cluster: ClusterConfig) => Middleware[]) => ClusterAccess,
  tallies: Map<string, KubeTally>,
): ClusterAccess {
  const tallyOf = (name: string) => {
    const tally = tallies.get(name) ?? new KubeTally();
    tallies.set(name, tally);
    return tally;
  };
  const inner = make((cluster) => [tallyOf(cluster.name).middleware]);
  return {
    endpoint: (cluster) => inner.endpoint(cluster),
    async awsAuth(cluster) {
      return tallyOf(cluster.name).track(await inner.awsAuth(cluster));
    },
  };
}

/** Per-cluster differences between two snapshots of every tally. */
export function deltas(
  after: Record<string, TallySnapshot>,
  before: Record<string, TallySnapshot>,
): Record<string, TallySnapshot> {
  return Object.fromEntries(
    Object.entries(after).map(([c, t]) => [c, tallyDelta(t, before[c] ?? zeroTally())]),
  );
}

export function total(perCluster: Record<string, TallySnapshot>, key: keyof TallySnapshot): number {
  return Object.values(perCluster).reduce((sum, t) => sum + t[key], 0);
}

export const zeroTally = (): TallySnapshot => ({
  requests: 0,
  reads: 0,
  writes: 0,
  writeAttempts: 0,
  conflicts: 0,
  backups: 0,
  readMs: 0,
  writeMs: 0,
  backupMs: 0,
});
