import {
  type AwsAuthSnapshot,
  type AwsAuthStore,
  type ClusterAccess,
  WriteConflictError,
} from '../../src/app/ports';

/**
 * An in-memory aws-auth per cluster name behind the ClusterAccess port, true to the port: every
 * write names the snapshot it is based on and fails with WriteConflictError when aws-auth changed
 * since (as the apiserver answers 409); the backup is the record string the port keeps.
 * `calls` (shared with a fake EKS) records each write, for tests of order.
 */
export function memoryClusters(
  calls: string[] = [],
  initial: Record<string, Record<string, string>> = {},
  initialAnnotations: Record<string, Record<string, string>> = {},
) {
  const maps = new Map<string, { snapshot: AwsAuthSnapshot; backup?: string }>();
  for (const [cluster, data] of Object.entries(initial)) {
    const annotations = initialAnnotations[cluster] ?? {};
    maps.set(cluster, { snapshot: { exists: true, data, annotations, resourceVersion: '1' } });
  }
  const opened = new Map<string, number>();
  const writes = new Map<string, number>();
  const bump = (counts: Map<string, number>, cluster: string) =>
    counts.set(cluster, (counts.get(cluster) ?? 0) + 1);
  function store(cluster: string): AwsAuthStore {
    const state = () => maps.get(cluster) ?? { snapshot: { exists: false, data: {}, annotations: {} } };
    return {
      async read() {
        return structuredClone(state().snapshot);
      },
      async write(base, data, annotations) {
        const now = state().snapshot;
        // A create (no version) over one made meanwhile conflicts too, as the apiserver's 409 AlreadyExists.
        if (base.resourceVersion !== now.resourceVersion) {
          throw new WriteConflictError(`aws-auth of ${cluster} changed since it was read`);
        }
        calls.push(`aws-auth write ${cluster}`);
        bump(writes, cluster);
        maps.set(cluster, {
          ...state(),
          snapshot: {
            exists: true,
            data: structuredClone(data),
            annotations: structuredClone(annotations),
            resourceVersion: String(Number(now.resourceVersion ?? 0) + 1),
          },
        });
      },
      async saveBackup(record) {
        maps.set(cluster, { ...state(), backup: record });
      },
      async readBackup() {
        return state().backup;
      },
    };
  }
  const access: ClusterAccess = {
    awsAuth: async (cluster) => {
      bump(opened, cluster.name);
      return store(cluster.name);
    },
    endpoint: async (cluster) => {
      throw new Error(`no Kubernetes endpoint for ${cluster.name} in unit tests`);
    },
  };
  /** A person's `kubectl edit`: new data (and annotations), a new resourceVersion, the backup untouched. */
  const handEdit = (
    cluster: string,
    edit: (snapshot: AwsAuthSnapshot) => {
      data: Record<string, string>;
      annotations?: Record<string, string>;
    },
  ) => {
    const state = maps.get(cluster);
    if (!state) throw new Error(`no aws-auth for ${cluster}`);
    const next = edit(structuredClone(state.snapshot));
    const version = String(Number(state.snapshot.resourceVersion ?? 0) + 1);
    maps.set(cluster, {
      ...state,
      snapshot: {
        ...state.snapshot,
        ...next,
        annotations: next.annotations ?? state.snapshot.annotations,
        resourceVersion: version,
      },
    });
  };
  return {
    access,
    awsAuth: (cluster: string) => maps.get(cluster)?.snapshot,
    handEdit,
    backup: (cluster: string) => maps.get(cluster)?.backup,
    replaceBackup: (cluster: string, record: string) => {
      const state = maps.get(cluster);
      if (state) maps.set(cluster, { ...state, backup: record });
    },
    /** How many times a use case opened the cluster's aws-auth store. */
    opened: (cluster: string) => opened.get(cluster) ?? 0,
    /** aws-auth writes that landed on the cluster. */
    writes: (cluster: string) => writes.get(cluster) ?? 0,
  };
}
