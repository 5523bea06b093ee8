import type { V1ConfigMap } from '@kubernetes/client-node';
import { type AwsAuthSnapshot, type AwsAuthStore, WriteConflictError } from '../../app/ports';
import type { KubeApis } from './kube-api';
import { kubeCall, kubeFind } from './kube-call';
import { KubeConflictError, KubeNotFoundError } from './kube-errors';

/** Where the record of the latest write is kept, for a rollback that undoes it. */
export const backupName = 'eks-access-sync-aws-auth-previous';
const recordKey = 'last-write.json';

/**
 * kube-system/aws-auth over the Kubernetes API; every write carries the resourceVersion it read.
 * Another namespace is for tests and benchmarks that keep several aws-auth copies on one apiserver.
 */
export function awsAuthStore({ core }: KubeApis, namespace = 'kube-system'): AwsAuthStore {
  const where = (name: string) => `configmap ${namespace}/${name}`;
  return {
    async read() {
      const read = await kubeFind(`reading ${where('aws-auth')}`, () =>
        core.readNamespacedConfigMap({ name: 'aws-auth', namespace }),
      );
      return snapshot(read);
    },
    async write(base, data, annotations) {
      try {
        if (!base.exists) {
          await kubeCall(`creating ${where('aws-auth')}`, () =>
            core.createNamespacedConfigMap({
              namespace,
              body: {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'aws-auth', namespace, annotations },
                data,
              },
            }),
          );
        } else {
          // Everything else the object carries (labels, owner references, binaryData) is kept as read
          // into the snapshot this write is based on, whichever read (or store) that was.
          const stored = base.stored as V1ConfigMap | undefined;
          const metadata = { ...(stored?.metadata ?? {}), name: 'aws-auth', namespace, annotations };
          await kubeCall(`replacing ${where('aws-auth')}`, () =>
            core.replaceNamespacedConfigMap({
              name: 'aws-auth',
              namespace,
              body: {
                ...stored,
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { ...metadata, resourceVersion: base.resourceVersion },
                data,
              },
            }),
          );
        }
      } catch (error) {
        if (error instanceof KubeConflictError) {
          throw new WriteConflictError('aws-auth changed since it was read', { cause: error });
        }
        throw error;
      }
    },
    async saveBackup(record) {
      const body: V1ConfigMap = {
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
          await kubeCall(`replacing ${where(backupName)}`, () =>
            core.replaceNamespacedConfigMap({ name: backupName, namespace, body }),
          );
          return;
        } catch (error) {
          if (!(error instanceof KubeNotFoundError)) throw error;
        }
        try {
          await kubeCall(`creating ${where(backupName)}`, () =>
            core.createNamespacedConfigMap({ namespace, body }),
          );
          return;
        } catch (error) {
          if (!(error instanceof KubeConflictError)) throw error;
        }
      }
    },
    async readBackup() {
      const backup = await kubeFind(`reading ${where(backupName)}`, () =>
        core.readNamespacedConfigMap({ name: backupName, namespace }),
      );
      return backup?.data?.[recordKey];
    },
  };
}

function snapshot(cm: V1ConfigMap | undefined): AwsAuthSnapshot {
  if (!cm) return { exists: false, data: {}, annotations: {} };
  return {
    exists: true,
    data: { ...(cm.data ?? {}) },
    annotations: { ...(cm.metadata?.annotations ?? {}) },
    ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}),
    stored: cm,
  };
}
