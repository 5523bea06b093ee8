import { readFileSync } from 'node:fs';
import type { ClusterAccessOptions } from '../adapters/cluster-access';
import type { AccessConfig } from '../domain/config/config';
import { parseAccessConfig } from '../domain/config/config-file';
import { InvalidConfigError } from '../domain/errors';
import { readersWithoutKey } from '../domain/rotation/secret-readers';
import { type Environment, readEnvironment, readSandboxEndpoints } from './environment';

/** What every function's clients are built from: the config, and where AWS and the clusters are. */
export interface Runtime {
  env: Environment;
  config: AccessConfig;
  /** Options for any AWS SDK client: moto's endpoint and keys in the sandbox stage, nothing otherwise. */
  aws: {
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
  /** The function's own region (the sandbox's in the sandbox stage). */
  region: string;
  clusterAccess: ClusterAccessOptions;
}

/**
 * Reads the environment and the config once. In the sandbox stage the AWS clients talk to moto
 * and every cluster is the sandbox's kube-apiserver.
 */
export function readRuntime(env: Environment = readEnvironment()): Runtime {
  const config = parseAccessConfig(readFileSync(env.ACCESS_CONFIG_PATH, 'utf8'), env.ACCESS_CONFIG_PATH);
  const sandbox = env.SANDBOX_ENV_FILE ? readSandboxEndpoints(env.SANDBOX_ENV_FILE) : undefined;
  // The sandbox has a customer-managed key of its own in moto's KMS, used unless one is named.
  const kmsKeyId = env.SECRETS_KMS_KEY_ID ?? sandbox?.aws.kmsKeyArn;
  // The config alone is valid; with this stage's key (or its absence) readers may not be.
  const keyless = readersWithoutKey(config.externalUsers, kmsKeyId);
  if (keyless.length > 0) throw new InvalidConfigError(env.ACCESS_CONFIG_PATH, keyless);
  if (!sandbox) return { env, config, aws: {}, region: env.AWS_REGION, clusterAccess: {} };
  // The functions run as their own role, as on Lambda: a session moto issued, which the sandbox's
  // authenticator maps as the cluster creator. The cluster `sandbox` is reached as EKS is reached:
  // DescribeCluster (moto answers with the sandbox apiserver's endpoint and CA) and an EKS token.
  const { roleArn, ...credentials } = sandbox.aws.function;
  const own = new Set([sandbox.authenticator.clusterId, ...sandbox.clusters.map((c) => c.name)]);
  return {
    env: {
      ...env,
      FUNCTION_ROLE_ARN: env.FUNCTION_ROLE_ARN ?? roleArn,
      ...(kmsKeyId ? { SECRETS_KMS_KEY_ID: kmsKeyId } : {}),
    },
    config,
    aws: { endpoint: sandbox.aws.endpoint, credentials },
    region: sandbox.aws.region,
    clusterAccess: {
      awsEndpoint: sandbox.aws.endpoint,
      credentials,
      // Clusters created in moto under other names (tests make them) lead to the first apiserver, whose
      // authenticator checks tokens for its own cluster ID only: those keep the static admin token.
      staticEndpointFor: (cluster) =>
        own.has(cluster.name)
          ? undefined
          : { server: sandbox.kube.server, caData: sandbox.kube.caData, token: sandbox.kube.adminToken },
    },
  };
}
