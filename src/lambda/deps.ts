import { readFileSync } from 'node:fs';
import { IAMClient } from '@aws-sdk/client-iam';
import { clusterAccess } from '../adapters/cluster-access';
import { iamDirectory } from '../adapters/iam-directory';
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
    maxAttempts: env.MAX_WRITE_ATTEMPTS,
    concurrency: env.CLUSTER_CONCURRENCY,
  };
}
