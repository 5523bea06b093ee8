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

/** Where the version before the latest write is kept, for one-step rollback. */
export const backupName = 'eks-access-sync-aws-auth-previous';

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
    async saveBackup(previous) {
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: backupName,
          namespace,
          annotations: {
            'eks-access-sync.io/backup-of': 'aws-auth',
            'eks-access-sync.io/backup-exists': String(previous.exists),
            'eks-access-sync.io/backup-annotations': JSON.stringify(previous.annotations),
            'eks-access-sync.io/backup-resource-version': previous.resourceVersion ?? '',
          },
        },
        data: previous.data,
      };
      // An unconditional PUT (no resourceVersion): concurrent syncs each keep what they read just
      // before their own write, and the last write's backup is the one that stays.
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
      if (!backup) return undefined;
      const notes = backup.metadata?.annotations ?? {};
      return {
        exists: notes['eks-access-sync.io/backup-exists'] !== 'false',
        data: backup.data ?? {},
        annotations: JSON.parse(notes['eks-access-sync.io/backup-annotations'] ?? '{}') as Record<
          string,
          string
        >,
      };
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
