import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clusterAccess } from '../adapters/cluster-access';
import { lazyKubernetes } from '../adapters/kubernetes/on-first-use';
import { rotationNotices } from '../adapters/rotation-notices';
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
    externalAccess: (cluster, endpoint) => lazyKubernetes.externalAccess(endpoint, cluster),
    identify: lazyKubernetes.identify,
    secrets: secretsStore(secrets, {
      kmsKeyId: runtime.env.SECRETS_KMS_KEY_ID,
      // moto (the sandbox, the only stage with an endpoint) has no ValidateResourcePolicy.
      validatePolicies: runtime.aws.endpoint === undefined,
    }),
    // The default bus of the function's region: where the stack's own rules and a team's live.
    notices: rotationNotices(
      new EventBridgeClient({ region: runtime.region, maxAttempts: 5, ...runtime.aws }),
    ),
    clock: { now: () => new Date() },
    newVersionId: randomUUID,
    concurrency: runtime.env.CLUSTER_CONCURRENCY,
  };
}
