import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { callerRoleArn } from '../adapters/caller-identity';
import { clusterAccess } from '../adapters/cluster-access';
import { eksClusters } from '../adapters/eks-clusters';
import { iamDirectory } from '../adapters/iam-directory';
import { clusterObjects } from '../adapters/kubernetes/cluster-objects';
import { kubeClient } from '../adapters/kubernetes/kube-client';
import { identify } from '../adapters/kubernetes/self-subject-review';
import { externalAccess } from '../adapters/kubernetes/service-accounts';
import { recheckQueue } from '../adapters/recheck-queue';
import { secretsStore } from '../adapters/secrets-store';
import { externalUsersByRotation } from '../app/bootstrap-external-users';
import type { BootstrapDeps } from '../app/bootstrap-ports';
import type { RotateTokensDeps } from '../app/rotation-ports';
import type { SyncAccessDeps } from '../app/sync-access';
import { parseAccessConfig } from '../domain/config-file';
import { type Environment, readEnvironment, readSandboxEndpoints } from './environment';

/**
 * The one place that turns the environment into clients. In the sandbox stage the AWS clients
 * talk to moto and every cluster is the sandbox's kube-apiserver.
 */
export function syncAccessDeps(env: Environment = readEnvironment()): SyncAccessDeps {
  const config = parseAccessConfig(readFileSync(env.ACCESS_CONFIG_PATH, 'utf8'), env.ACCESS_CONFIG_PATH);
  const sandbox = env.SANDBOX_ENV_FILE ? readSandboxEndpoints(env.SANDBOX_ENV_FILE) : undefined;
  const aws = sandbox
    ? {
        endpoint: sandbox.aws.endpoint,
        credentials: { accessKeyId: sandbox.aws.accessKeyId, secretAccessKey: sandbox.aws.secretAccessKey },
      }
    : {};
  return {
    config,
    // IAM is global; its API lives in us-east-1 (aws partition).
    iam: iamDirectory(new IAMClient({ region: 'us-east-1', maxAttempts: 5, ...aws })),
    clusters: clusterAccess({
      ...(sandbox
        ? {
            awsEndpoint: sandbox.aws.endpoint,
            credentials: aws.credentials,
            staticEndpoint: {
              server: sandbox.kube.server,
              caData: sandbox.kube.caData,
              token: sandbox.kube.adminToken,
            },
          }
        : {}),
    }),
    // DescribeCluster and access entries, for clusters whose backend is not configMap.
    eks: eksClusters(sandbox ? { awsEndpoint: aws.endpoint, credentials: aws.credentials } : {}),
    maxAttempts: env.MAX_WRITE_ATTEMPTS,
    concurrency: env.CLUSTER_CONCURRENCY,
  };
}

/**
 * rotateTokens' clients: Secrets Manager in the function's region, the clusters as syncAccess reaches
 * them. In the sandbox stage every cluster is the sandbox's kube-apiserver, so the kubeconfigs written
 * point at it with its CA and work with kubectl.
 */
export function rotateTokensDeps(env: Environment = readEnvironment()): RotateTokensDeps {
  const config = parseAccessConfig(readFileSync(env.ACCESS_CONFIG_PATH, 'utf8'), env.ACCESS_CONFIG_PATH);
  const sandbox = env.SANDBOX_ENV_FILE ? readSandboxEndpoints(env.SANDBOX_ENV_FILE) : undefined;
  const credentials = sandbox && {
    accessKeyId: sandbox.aws.accessKeyId,
    secretAccessKey: sandbox.aws.secretAccessKey,
  };
  const secrets = new SecretsManagerClient({
    region: sandbox?.aws.region ?? env.AWS_REGION,
    maxAttempts: 5,
    ...(sandbox ? { endpoint: sandbox.aws.endpoint, credentials } : {}),
  });
  return {
    config,
    clusters: clusterAccess(
      sandbox
        ? {
            awsEndpoint: sandbox.aws.endpoint,
            credentials,
            staticEndpoint: {
              server: sandbox.kube.server,
              caData: sandbox.kube.caData,
              token: sandbox.kube.adminToken,
            },
          }
        : {},
    ),
    externalAccess: (cluster, endpoint) => externalAccess(kubeClient(endpoint), cluster),
    identify,
    secrets: secretsStore(secrets),
    clock: { now: () => new Date() },
    newVersionId: randomUUID,
    concurrency: env.CLUSTER_CONCURRENCY,
  };
}

/**
 * bootstrapCluster's clients: the syncAccess and rotateTokens dependencies (it calls those use
 * cases), EKS, its own SQS re-check and dead-letter queues, and STS to learn its own role.
 */
export function bootstrapClusterDeps(env: Environment = readEnvironment()): BootstrapDeps {
  const sync = syncAccessDeps(env);
  const rotation = rotateTokensDeps(env);
  const sandbox = env.SANDBOX_ENV_FILE ? readSandboxEndpoints(env.SANDBOX_ENV_FILE) : undefined;
  const aws = sandbox
    ? {
        region: sandbox.aws.region,
        endpoint: sandbox.aws.endpoint,
        credentials: { accessKeyId: sandbox.aws.accessKeyId, secretAccessKey: sandbox.aws.secretAccessKey },
      }
    : { region: env.AWS_REGION };
  const functionRoleArn = sync.config.bootstrap?.functionRoleArn ?? env.FUNCTION_ROLE_ARN;
  const askSts = callerRoleArn(new STSClient({ maxAttempts: 5, ...aws }));
  return {
    config: sync.config,
    eks: sync.eks ?? eksClusters(),
    clusters: sync.clusters,
    kubernetes: (endpoint) => clusterObjects(kubeClient(endpoint)),
    recheck: recheckQueue(new SQSClient({ maxAttempts: 5, ...aws }), {
      recheck: env.BOOTSTRAP_RECHECK_QUEUE,
      deadLetter: env.BOOTSTRAP_DEAD_LETTER_QUEUE,
    }),
    sync,
    externalUsers: externalUsersByRotation(rotation),
    secrets: rotation.secrets,
    functionPrincipal: functionRoleArn ? async () => functionRoleArn : askSts,
    clock: rotation.clock,
  };
}
