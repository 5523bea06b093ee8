import type { ClusterEndpoint } from '../../app/ports';
import { kubeApis } from './kube-api';
import { kubeCall } from './kube-call';

/**
 * Who the endpoint's server takes its token for (SelfSubjectReview, TLS verified against the
 * endpoint's CA): the check that a new kubeconfig works before anyone is given it.
 */
export async function identify(endpoint: ClusterEndpoint): Promise<string> {
  const { authentication } = kubeApis(endpoint);
  const review = await kubeCall('creating a SelfSubjectReview', () =>
    authentication.createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    }),
  );
  return review.status?.userInfo?.username ?? '';
}
