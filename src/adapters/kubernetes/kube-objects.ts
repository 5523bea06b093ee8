import type { V1DeleteOptions, V1ObjectMeta } from '@kubernetes/client-node';
import {
  kubeAnnotation,
  kubeLabel,
  managedBy,
  NotOwnedError,
} from '../../domain/rotation/rotation-ownership';

/** The metadata of a Kubernetes object as client-node reads it. */
export type ObjectMeta = V1ObjectMeta;

export interface KubeObject {
  metadata?: ObjectMeta;
}

/** A labelSelector selecting the objects this tool made (for one user, when given). */
export function managedSelector(user?: string): string {
  return [`${kubeLabel.managedBy}=${managedBy}`, ...(user ? [`${kubeLabel.user}=${user}`] : [])].join(',');
}

/** Made by this tool for this cluster name (the same apiserver may be known by several names). */
export function madeFor(object: KubeObject | undefined, cluster: string): boolean {
  return (
    object?.metadata?.labels?.[kubeLabel.managedBy] === managedBy &&
    object.metadata.annotations?.[kubeAnnotation.cluster] === cluster
  );
}

/** Fails when an object with the name exists but is not this tool's for this cluster. */
export function requireOwned<T extends KubeObject>(object: T, cluster: string, what: string): T {
  if (madeFor(object, cluster)) return object;
  const other = object.metadata?.annotations?.[kubeAnnotation.cluster];
  throw new NotOwnedError(
    other && object.metadata?.labels?.[kubeLabel.managedBy] === managedBy
      ? `${what} was made by eks-access-sync for cluster ${other}, not ${cluster}: left alone`
      : `${what} exists and was not made by eks-access-sync: left alone; rename the user or remove the object`,
  );
}

/** Deletes only the object with this uid, so a namesake created meanwhile survives. */
export function deleteOptions(uid: string | undefined): V1DeleteOptions {
  return { apiVersion: 'v1', kind: 'DeleteOptions', ...(uid ? { preconditions: { uid } } : {}) };
}
