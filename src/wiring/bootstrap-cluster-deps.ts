import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { callerRoleArn } from '../adapters/caller-identity';
import { eksClusters } from '../adapters/eks-clusters';
import { lazyKubernetes } from '../adapters/kubernetes/on-first-use';
import { recheckQueue } from '../adapters/recheck-queue';
import { externalUsersByRotation } from '../app/bootstrap/bootstrap-external-users';
import type { BootstrapDeps } from '../app/bootstrap/bootstrap-ports';
import { functionPrincipal } from '../app/bootstrap/function-principal';
import { rotationClients } from './rotation-clients';
import { type Runtime, readRuntime } from './runtime';
import { syncClients } from './sync-clients';

/**
 * bootstrapCluster's clients: the syncAccess and rotateTokens dependencies (it calls those use
 * cases), EKS, its own SQS re-check and dead-letter queues, and STS to learn its own role.
 */
export function bootstrapClusterDeps(runtime: Runtime = readRuntime()): BootstrapDeps {
  // The clusters it sets up, one at a time: no fleet to list.
  const sync = syncClients(runtime);
  const rotation = rotationClients(runtime);
  const aws = { region: runtime.region, maxAttempts: 5, ...runtime.aws };
  return {
    config: runtime.config,
    eks: sync.eks ?? eksClusters({ awsEndpoint: runtime.aws.endpoint, credentials: runtime.aws.credentials }),
    clusters: sync.clusters,
    kubernetes: lazyKubernetes.clusterObjects,
    recheck: recheckQueue(new SQSClient(aws), {
      recheck: runtime.env.BOOTSTRAP_RECHECK_QUEUE,
      deadLetter: runtime.env.BOOTSTRAP_DEAD_LETTER_QUEUE,
    }),
    sync,
    externalUsers: externalUsersByRotation(rotation),
    secrets: rotation.secrets,
    functionPrincipal: functionPrincipal(
      runtime.config.bootstrap?.functionRoleArn,
      runtime.env.FUNCTION_ROLE_ARN,
      callerRoleArn(new STSClient(aws)),
    ),
    clock: rotation.clock,
  };
}
