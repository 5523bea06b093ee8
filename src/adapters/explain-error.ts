import { DomainError } from '../domain/errors';
import { KubeForbiddenError, KubeUnauthorizedError, KubeUnreachableError } from './kubernetes/kube-errors';

/** An error met on a cluster, re-said so that a platform engineer can act on it. */
export class ClusterAccessError extends Error {
  override name = 'ClusterAccessError';
}

/** Wraps every method of a store so that its failures name the cluster and the fix. */
export function explained<T extends object>(
  cluster: string,
  store: T,
  passThrough: (e: unknown) => boolean,
): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          if (passThrough(error)) throw error;
          throw new ClusterAccessError(explainClusterError(cluster, error), { cause: error });
        }
      };
    },
  });
}

/**
 * One line a platform engineer can act on, for an error met while working on a cluster.
 * Never includes credentials: adapters keep tokens out of their messages.
 */
export function explainClusterError(cluster: string, error: unknown): string {
  if (error instanceof KubeUnauthorizedError) {
    return (
      `cluster ${cluster} does not accept this function's identity (401 Unauthorized): grant its role access with ` +
      `an access entry (aws eks create-access-entry --cluster-name ${cluster} --principal-arn <function role ARN>) ` +
      'or a mapRoles entry in aws-auth'
    );
  }
  if (error instanceof KubeForbiddenError) {
    return `cluster ${cluster} refuses the request (403 Forbidden): ${error.message}; the function needs get, create and update on configmaps in kube-system`;
  }
  if (error instanceof KubeUnreachableError) return `cluster ${cluster} cannot be reached: ${error.message}`;
  if (error instanceof DomainError || error instanceof Error) return error.message;
  return String(error);
}
