/**
 * Every Kubernetes adapter, in one module that the functions import lazily (see on-first-use.ts):
 * client-node and undici are most of a bundle, and a run that touches no cluster never loads them.
 */
export { accessReviewApi } from './access-review-api';
export { awsAuthStore } from './aws-auth-store';
export { clusterObjects } from './cluster-objects';
export { kubeApis } from './kube-api';
export { identify } from './self-subject-review';
export { externalAccess } from './service-accounts';
