import { type AwsAuthSnapshot, type AwsAuthStore, WriteConflictError } from '../../app/ports';
import { KubeApiError, type KubeClient } from './kube-client';

interface ConfigMap {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  [field: string]: unknown;
}

/** Where the record of the latest write is kept, for a rollback that undoes it. */
export const backupName = 'eks-access-sync-aws-auth-previous';
const recordKey = 'last-write.json';

/**
 * kube-system/aws-auth over the Kubernetes API; every write carries the resourceVersion it read.
 * Another namespace is for tests and benchmarks that keep several aws-auth copies on one apiserver.
 */
export function awsAuthStore(kube: KubeClient, namespace = 'kube-system'): AwsAuthStore {
  const path = (name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`;
  let current: ConfigMap | undefined;
  return {
    get requests() {
      return kube.requests;
    },
    async read() {
      current = await kube.get<ConfigMap>(path('aws-auth'));
      return snapshot(current);
    },
    async write(base, data, annotations) {
      // Everything else the object carries (labels, owner references, binaryData) is kept as read.
      const metadata = { ...(current?.metadata ?? {}), name: 'aws-auth', namespace, annotations };
      try {
        if (!base.exists) {
          await kube.create(`/api/v1/namespaces/${namespace}/configmaps`, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'aws-auth', namespace, annotations },
            data,
          });
        } else {
          await kube.replace(path('aws-auth'), {
            ...current,
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { ...metadata, resourceVersion: base.resourceVersion },
            data,
          });
        }
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 409) {
          throw new WriteConflictError('aws-auth changed since it was read', { cause: error });
        }
        throw error;
      }
    },
    async saveBackup(record) {
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: backupName,
          namespace,
          annotations: { 'eks-access-sync.io/backup-of': 'aws-auth' },
        },
        data: { [recordKey]: record },
      };
      // An unconditional PUT (no resourceVersion): concurrent syncs each keep the record of their own
      // write just before it; aws-auth's last-write annotation says which one landed.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await kube.replace(path(backupName), body);
          return;
        } catch (error) {
          if (!(error instanceof KubeApiError && error.status === 404)) throw error;
        }
        try {
          await kube.create(`/api/v1/namespaces/${namespace}/configmaps`, body);
          return;
        } catch (error) {
          if (!(error instanceof KubeApiError && error.status === 409)) throw error;
        }
      }
    },
    async readBackup() {
      const backup = await kube.get<ConfigMap>(path(backupName));
      return backup?.data?.[recordKey];
    },
  };
}

function snapshot(cm: ConfigMap | undefined): AwsAuthSnapshot {
  if (!cm) return { exists: false, data: {}, annotations: {} };
  return {
    exists: true,
    data: { ...(cm.data ?? {}) },
    annotations: { ...(cm.metadata?.annotations ?? {}) },
    ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}),
  };
}
