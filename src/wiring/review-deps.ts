import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { callerRoleArn } from '../adapters/caller-identity';
import { clusterAccess } from '../adapters/cluster-access';
import { eksClusterReads } from '../adapters/eks-cluster-reads';
import { iamDirectory } from '../adapters/iam-directory';
import { iamPrincipals } from '../adapters/iam-principals';
import { lazyKubernetes } from '../adapters/kubernetes/on-first-use';
import { secretTags } from '../adapters/secret-tags';
import type { ReviewDeps } from '../app/review/review-cluster';
import { secretTag } from '../domain/rotation/rotation-ownership';
import { secretNameFor, UnknownAccountError } from '../domain/rotation/secret-name';
import { type Runtime, readRuntime } from './runtime';

/** The access review's clients: IAM (groups, principals), the clusters as syncAccess reaches them, Secrets Manager for token expiries. */
export function reviewDeps(runtime: Runtime = readRuntime()): ReviewDeps {
  const iam = new IAMClient({ region: 'us-east-1', maxAttempts: 5, ...runtime.aws });
  const sts = new STSClient({ region: runtime.region, maxAttempts: 5, ...runtime.aws });
  const caller = callerRoleArn(sts);
  // Read-only adapters: the review's role grants no write (serverless/iam.cjs, ReviewAccessRole).
  const tagsOf = secretTags(
    new SecretsManagerClient({ region: runtime.region, maxAttempts: 5, ...runtime.aws }),
  );
  return {
    config: runtime.config,
    iam: iamDirectory(iam),
    // IAM answers for the function's own account only; principals of others are "unknown".
    principals: iamPrincipals(iam, async () => (await caller()).split(':')[4]),
    clusters: clusterAccess(runtime.clusterAccess),
    eks: eksClusterReads({ awsEndpoint: runtime.aws.endpoint, credentials: runtime.aws.credentials }),
    // client-node loads with the first cluster request, not at the function's cold start
    reviewApi: lazyKubernetes.accessReviewApi,
    clock: { now: () => new Date() },
    async tokenExpiry(user, cluster) {
      let name: string;
      try {
        name = secretNameFor(user, cluster);
      } catch (error) {
        if (error instanceof UnknownAccountError) return undefined;
        throw error;
      }
      const expiresAt = (await tagsOf(name))?.[secretTag.expiresAt];
      const date = expiresAt ? new Date(expiresAt) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date : undefined;
    },
  };
}
