import type { ClusterEndpoint } from '../../app/ports';
import { kubeClient } from './kube-client';

interface SelfSubjectReview {
  status?: { userInfo?: { username?: string } };
}

/**
 * Who the endpoint's server takes its token for (SelfSubjectReview, TLS verified against the
 * endpoint's CA): the check that a new kubeconfig works before anyone is given it.
 */
export async function identify(endpoint: ClusterEndpoint): Promise<string> {
  const review = await kubeClient(endpoint).create<SelfSubjectReview>(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  );
  return review?.status?.userInfo?.username ?? '';
}
