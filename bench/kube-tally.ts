import { type AwsAuthStore, type ClusterAccess, WriteConflictError } from '../src/app/ports';

/** What one cluster's aws-auth saw, counted where the use case talks to its store. */
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
  private readonly stores: AwsAuthStore[] = [];

  /** Every HTTP request to the apiserver: reads, backups, writes, retries. */
  get requests(): number {
    return this.stores.reduce((sum, s) => sum + s.requests, 0);
  }

  track(store: AwsAuthStore): AwsAuthStore {
    this.stores.push(store);
    const tally = this;
    return {
      get requests() {
        return store.requests;
      },
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

/** The production cluster access with every store counted, per cluster name. */
export function countedClusters(inner: ClusterAccess, tallies: Map<string, KubeTally>): ClusterAccess {
  const tallyOf = (name: string) => {
    const tally = tallies.get(name) ?? new KubeTally();
    tallies.set(name, tally);
    return tally;
  };
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
