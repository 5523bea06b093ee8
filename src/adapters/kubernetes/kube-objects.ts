import {
  kubeAnnotation,
  kubeLabel,
  managedBy,
  NotOwnedError,
} from '../../domain/rotation/rotation-ownership';

/** The part of a Kubernetes object's metadata the external-access adapters read. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  metadata: ObjectMeta;
}

export interface KubeList<T> {
  items: T[];
}

/** `?labelSelector=…` selecting the objects this tool made (for one user, when given). */
export function managedSelector(user?: string): string {
  const terms = [`${kubeLabel.managedBy}=${managedBy}`, ...(user ? [`${kubeLabel.user}=${user}`] : [])];
  return `?${new URLSearchParams({ labelSelector: terms.join(',') })}`;
}

/** Made by this tool for this cluster name (the same apiserver may be known by several names). */
export function madeFor(object: KubeObject | undefined, cluster: string): boolean {
  return (
    object?.metadata.labels?.[kubeLabel.managedBy] === managedBy &&
    object.metadata.annotations?.[kubeAnnotation.cluster] === cluster
  );
}

/** Fails when an object with the name exists but is not this tool's for this cluster. */
export function requireOwned<T extends KubeObject>(object: T, cluster: string, what: string): T {
  if (madeFor(object, cluster)) return object;
  const other = object.metadata.annotations?.[kubeAnnotation.cluster];
  throw new NotOwnedError(
    other && object.metadata.labels?.[kubeLabel.managedBy] === managedBy
      ? `${what} was made by eks-access-sync for cluster ${other}, not ${cluster}: left alone`
      : `${what} exists and was not made by eks-access-sync: left alone; rename the user or remove the object`,
  );
}

/** Deletes only the object with this uid, so a namesake created meanwhile survives. */
export function deleteOptions(uid: string | undefined) {
  return { apiVersion: 'v1', kind: 'DeleteOptions', ...(uid ? { preconditions: { uid } } : {}) };
}
