import type { Middleware } from '@kubernetes/client-node';
import type { ClusterObjects } from '../../app/bootstrap/bootstrap-ports';
import type { AwsAuthStore, ClusterEndpoint } from '../../app/ports';
import type { AccessReviewApi } from '../../app/review/review-ports';
import type { ExternalAccess } from '../../app/rotation/rotation-ports';

type Adapters = typeof import('./kubernetes-adapters');

let loading: Promise<Adapters> | undefined;

/** The Kubernetes adapters, loaded (and client-node with them) the first time a run needs one. */
export function kubernetesAdapters(): Promise<Adapters> {
  loading ??= import('./kubernetes-adapters');
  return loading;
}

/**
 * A port whose methods are all async, made when the first of them is called: ports that are built
 * synchronously (one per cluster) still load nothing until a request is due. A plain object with
 * every method of the port listed (the compiler checks the list), so it can be spread and wrapped.
 */
function onFirstUse<T extends object>(methods: Record<keyof T, true>, make: (adapters: Adapters) => T): T {
  let made: Promise<T> | undefined;
  const port: Record<string, unknown> = {};
  for (const method of Object.keys(methods)) {
    port[method] = async (...args: unknown[]) => {
      made ??= kubernetesAdapters().then(make);
      const target = (await made) as Record<string, (...a: unknown[]) => unknown>;
      return target[method]?.(...args);
    };
  }
  return port as T;
}

const clusterObjectsMethods: Record<keyof ClusterObjects, true> = {
  accepts: true,
  ensure: true,
  prune: true,
};
const externalAccessMethods: Record<keyof ExternalAccess, true> = {
  ensureAccess: true,
  bindSecret: true,
  boundSecret: true,
  boundSecrets: true,
  revoke: true,
  requestToken: true,
  managedServiceAccounts: true,
  offboard: true,
};
const accessReviewApiMethods: Record<keyof AccessReviewApi, true> = {
  allowed: true,
  roleBindings: true,
  clusterRoleBindings: true,
  externalServiceAccounts: true,
};

/** What the functions' wiring uses: the same adapters as kubernetes-adapters.ts, loaded on first use. */
export const lazyKubernetes = {
  async awsAuthStore(
    endpoint: ClusterEndpoint,
    namespace?: string,
    middleware: Middleware[] = [],
  ): Promise<AwsAuthStore> {
    const k = await kubernetesAdapters();
    return k.awsAuthStore(k.kubeApis(endpoint, { middleware }), namespace);
  },
  clusterObjects: (endpoint: ClusterEndpoint): ClusterObjects =>
    onFirstUse(clusterObjectsMethods, (k) => k.clusterObjects(k.kubeApis(endpoint))),
  externalAccess: (endpoint: ClusterEndpoint, cluster: string): ExternalAccess =>
    onFirstUse(externalAccessMethods, (k) => k.externalAccess(k.kubeApis(endpoint), cluster)),
  accessReviewApi: (endpoint: ClusterEndpoint): AccessReviewApi =>
    onFirstUse(accessReviewApiMethods, (k) => k.accessReviewApi(endpoint)),
  identify: async (endpoint: ClusterEndpoint): Promise<string> =>
    (await kubernetesAdapters()).identify(endpoint),
};
