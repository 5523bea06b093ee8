import * as k8s from '@kubernetes/client-node';
import type { SandboxCluster } from '../../../scripts/sandbox/sandbox';
import { seedAwsAuth, seedEksCluster } from '../../../scripts/sandbox/seed';
import { sandbox } from '../../support/sandbox';

/** The sandbox's static admin (system:masters): what a cluster operator sets RBAC up with, never a person under test. */
/** One of the sandbox's clusters (default: the first, `sandbox`). */
export function sandboxCluster(name = 'sandbox'): SandboxCluster {
  const found = sandbox().clusters.find((c) => c.name === name);
  if (!found) throw new Error(`the sandbox has no cluster ${name}`);
  return found;
}

function admin(cluster = 'sandbox'): k8s.KubeConfig {
  const env = sandboxCluster(cluster);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: env.kube.server, caData: env.kube.caData }],
    users: [{ name: 'admin', token: env.kube.adminToken }],
    contexts: [{ name: 'admin', cluster: 'sandbox', user: 'admin' }],
    currentContext: 'admin',
  });
  return kc;
}

/**
 * The cluster `sandbox` in moto's EKS (which answers DescribeCluster with the sandbox apiserver's
 * endpoint and CA), and its kube-system/aws-auth as a new EKS cluster with a node group, a Fargate
 * profile and Windows nodes has it.
 */
export async function resetAwsAuth(cluster = 'sandbox'): Promise<void> {
  await seedEksCluster(sandbox(), cluster);
  const core = admin(cluster).makeApiClient(k8s.CoreV1Api);
  await core.deleteNamespacedConfigMap({ name: 'aws-auth', namespace: 'kube-system' }).catch((error) => {
    if (!(error instanceof k8s.ApiException && error.code === 404)) throw error;
  });
  await core.createNamespacedConfigMap({
    namespace: 'kube-system',
    body: { metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: seedAwsAuth } },
  });
}

export async function readAwsAuth(cluster = 'sandbox'): Promise<k8s.V1ConfigMap> {
  return admin(cluster)
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedConfigMap({ name: 'aws-auth', namespace: 'kube-system' });
}

/** A ClusterRole and a binding of a Kubernetes group to it: the rights the mapped groups stand for. */
export async function grantGroup(
  group: string,
  rules: k8s.V1PolicyRule[],
  cluster = 'sandbox',
): Promise<void> {
  const rbac = admin(cluster).makeApiClient(k8s.RbacAuthorizationV1Api);
  const name = `e2e-${group}`;
  const ignoreExisting = (error: unknown) => {
    if (!(error instanceof k8s.ApiException && error.code === 409)) throw error;
  };
  await rbac.createClusterRole({ body: { metadata: { name }, rules } }).catch(ignoreExisting);
  await rbac
    .createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      },
    })
    .catch(ignoreExisting);
}
