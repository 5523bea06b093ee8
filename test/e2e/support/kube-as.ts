import * as k8s from '@kubernetes/client-node';
import {
  type KubectlRun,
  kubectlAs as kubectlAsPerson,
  unauthorized,
} from '../../../scripts/sandbox/kubectl-as';
import type { SandboxCluster } from '../../../scripts/sandbox/sandbox';
import { eksToken } from '../../../src/adapters/eks-token';
import type { AwsCredentials } from '../../support/aws-clients';
import { sandbox } from '../../support/sandbox';

/** What the apiserver says a person is: SelfSubjectReview's user, or the HTTP status that refused them. */
export type WhoAmI =
  | { authenticated: true; username: string; groups: string[]; arn?: string }
  | { authenticated: false; status: number };

/**
 * Asks the sandbox apiserver "who am I" with an EKS token that the project's own generator signs with
 * these credentials (on EKS: the functions' way in).
 */
export async function whoAmI(
  credentials: AwsCredentials,
  clusterId = sandbox().authenticator.clusterId,
  apiserver: Pick<SandboxCluster, 'kube'> = sandbox(),
): Promise<WhoAmI> {
  const env = { ...sandbox(), kube: apiserver.kube };
  const { token } = await eksToken({ clusterName: clusterId, region: env.aws.region, credentials });
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: env.kube.server, caData: env.kube.caData }],
    users: [{ name: 'me', token }],
    contexts: [{ name: 'me', cluster: 'sandbox', user: 'me' }],
    currentContext: 'me',
  });
  try {
    const review = await kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    const user = review.status?.userInfo;
    return {
      authenticated: true,
      username: user?.username ?? '',
      groups: [...(user?.groups ?? [])].sort(),
      arn: user?.extra?.arn?.[0],
    };
  } catch (error) {
    if (error instanceof k8s.ApiException) return { authenticated: false, status: error.code };
    throw error;
  }
}

/** The real kubectl as that person (scripts/sandbox/kubectl-as.ts), against one of this run's clusters. */
export function kubectlAs(
  credentials: AwsCredentials,
  args: string[],
  options: Parameters<typeof kubectlAsPerson>[3] & { on?: SandboxCluster } = {},
): Promise<KubectlRun> {
  const { on, ...rest } = options;
  const env = sandbox();
  return kubectlAsPerson(
    on ? { ...env, kube: on.kube, authenticator: on.authenticator } : env,
    credentials,
    args,
    rest,
  );
}

export { unauthorized };

/** `kubectl auth can-i VERB RESOURCE -n NAMESPACE` as that person: what the cluster itself decides. */
export async function canI(credentials: AwsCredentials, verb: string, resource: string, namespace: string) {
  return (await kubectlAs(credentials, ['auth', 'can-i', verb, resource, '-n', namespace])).stdout;
}
