import {
  type AwsAuthSnapshot,
  type AwsAuthStore,
  type ClusterAccess,
  WriteConflictError,
} from '../../src/app/ports';

/**
 * An in-memory aws-auth per cluster name, with resourceVersions and a backup, behind the
 * ClusterAccess port; `calls` (shared with a fake EKS) records each write, for tests of order.
 */
export function memoryClusters(calls: string[] = [], initial: Record<string, Record<string, string>> = {}) {
  const maps = new Map<string, { snapshot: AwsAuthSnapshot; backup?: string }>();
  for (const [cluster, data] of Object.entries(initial)) {
    maps.set(cluster, { snapshot: { exists: true, data, annotations: {}, resourceVersion: '1' } });
  }
  function store(cluster: string): AwsAuthStore {
    const state = () => maps.get(cluster) ?? { snapshot: { exists: false, data: {}, annotations: {} } };
    return {
      requests: 0,
      async read() {
        return structuredClone(state().snapshot);
      },
      async write(base, data, annotations) {
        const now = state().snapshot;
        if (base.resourceVersion !== now.resourceVersion) throw new WriteConflictError('aws-auth changed');
        calls.push(`aws-auth write ${cluster}`);
        maps.set(cluster, {
          ...state(),
          snapshot: {
            exists: true,
            data,
            annotations,
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
    awsAuth: async (cluster) => store(cluster.name),
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
  };
}
