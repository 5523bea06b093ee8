import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { SandboxEnv } from '../../scripts/sandbox/sandbox';
import { sandbox } from './sandbox';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface SandboxClientConfig {
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
}

/**
 * An SDK v3 client of any service, pointed at the sandbox's moto. IAM is global on AWS, but here it
 * is served by the same moto endpoint. `credentials` replaces the static ones (e.g. assumed-role keys).
 */
export function awsClient<T>(
  Client: new (config: SandboxClientConfig) => T,
  options: { credentials?: AwsCredentials; env?: SandboxEnv } = {},
): T {
  const { aws } = options.env ?? sandbox();
  return new Client({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: options.credentials ?? {
      accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey,
    },
  });
}

type Options = Parameters<typeof awsClient>[1];

export const iamClient = (options?: Options) => awsClient(IAMClient, options);
export const stsClient = (options?: Options) => awsClient(STSClient, options);
export const eksClient = (options?: Options) => awsClient(EKSClient, options);
export const secretsManagerClient = (options?: Options) => awsClient(SecretsManagerClient, options);
export const eventBridgeClient = (options?: Options) => awsClient(EventBridgeClient, options);
export const sqsClient = (options?: Options) => awsClient(SQSClient, options);
