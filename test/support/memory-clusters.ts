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
  const maps = new Map<string, { snapshot: AwsAuthSnapshot; backup?: AwsAuthSnapshot }>();
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
      async saveBackup(snapshot) {
        maps.set(cluster, { ...state(), backup: structuredClone(snapshot) });
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
  return { access, awsAuth: (cluster: string) => maps.get(cluster)?.snapshot };
}
