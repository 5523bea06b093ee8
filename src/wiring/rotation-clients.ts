import { randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clusterAccess } from '../adapters/cluster-access';
import { kubeClient } from '../adapters/kubernetes/kube-client';
import { identify } from '../adapters/kubernetes/self-subject-review';
import { externalAccess } from '../adapters/kubernetes/service-accounts';
import { secretsStore } from '../adapters/secrets-store';
import type { RotateTokensDeps } from '../app/rotation/rotation-ports';
import { type Runtime, readRuntime } from './runtime';

/**
 * rotateTokens' clients: Secrets Manager in the function's region, the clusters as syncAccess reaches
 * them. In the sandbox stage every cluster is the sandbox's kube-apiserver, so the kubeconfigs written
 * point at it with its CA and work with kubectl. Without the fleet: bootstrapCluster issues the
 * kubeconfigs of the one cluster it sets up with these.
 */
export function rotationClients(runtime: Runtime = readRuntime()): RotateTokensDeps {
  const secrets = new SecretsManagerClient({ region: runtime.region, maxAttempts: 5, ...runtime.aws });
  return {
    config: runtime.config,
    clusters: clusterAccess(runtime.clusterAccess),
    externalAccess: (cluster, endpoint) => externalAccess(kubeClient(endpoint), cluster),
    identify,
    secrets: secretsStore(secrets, { kmsKeyId: runtime.env.SECRETS_KMS_KEY_ID }),
    clock: { now: () => new Date() },
    newVersionId: randomUUID,
    concurrency: runtime.env.CLUSTER_CONCURRENCY,
  };
}
