import type { ClusterObjects } from '../../src/app/bootstrap/bootstrap-ports';
import type { SecretsStore, StoredSecret } from '../../src/app/rotation/rotation-ports';
import type { RbacObject } from '../../src/domain/bootstrap/rbac-objects';

/** A cluster's Kubernetes side in memory: objects by kind and name, and whether it lets the function in. */
export function fakeClusterObjects(accepts: () => boolean = () => true) {
  const objects = new Map<string, RbacObject>();
  const id = (o: RbacObject) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  const kube: ClusterObjects = {
    accepts: async () => accepts(),
    async ensure(object) {
      const known = objects.get(id(object));
      objects.set(id(object), object);
      if (!known) return 'created';
      return JSON.stringify(known.manifest) === JSON.stringify(object.manifest) ? 'unchanged' : 'updated';
    },
    async prune(_cluster, keep) {
      const wanted = new Set(keep.map(id));
      const gone = [...objects.keys()].filter((k) => !wanted.has(k) && !k.startsWith('Namespace'));
      for (const k of gone) objects.delete(k);
      return gone;
    },
  };
  return { kube, objects: () => [...objects.keys()].sort() };
}

/** Secrets Manager as the cleanup sees it: the tool's secrets, and what was scheduled for deletion. */
export function fakeSecrets(secrets: StoredSecret[]) {
  const scheduled: { secretId: string; days: number }[] = [];
  const store: Pick<SecretsStore, 'listManaged' | 'scheduleDeletion'> = {
    async listManaged() {
      return secrets.filter((s) => !s.deleted);
    },
    async scheduleDeletion(secretId, days) {
      scheduled.push({ secretId, days });
      const secret = secrets.find((s) => s.arn === secretId || s.name === secretId);
      if (secret) secret.deleted = true;
    },
  };
  return { store, scheduled };
}
