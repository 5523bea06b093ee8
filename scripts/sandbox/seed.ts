import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AddUserToGroupCommand, CreateGroupCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { kubeApis } from '../../src/adapters/kubernetes/kube-api';
import { kubeCall, kubeFind } from '../../src/adapters/kubernetes/kube-call';
import type { SandboxEnv } from './sandbox';

/** IAM users and groups of the example config (examples/sandbox/access.yaml) that the demo events refer to. */
export const seedMembers: Record<string, string[]> = {
  'eks-admins': ['ann'],
  'eks-developers': ['dev-dana', 'dev-dev', 'carol'],
  'eks-readers': ['ray'],
};

/**
 * The aws-auth an EKS cluster with a managed node group, a Fargate profile and Windows nodes
 * starts with. None of it is the tool's; the demo shows that all of it survives.
 */
export const seedAwsAuth = `- rolearn: arn:aws:iam::123456789012:role/eks-node-group-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: arn:aws:iam::123456789012:role/eks-fargate-pod-execution-role
  username: system:node:{{SessionName}}
  groups:
    - system:bootstrappers
    - system:nodes
    - system:node-proxier
- rolearn: arn:aws:iam::123456789012:role/eks-windows-node-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - eks:kube-proxy-windows
    - system:bootstrappers
    - system:nodes
`;

/** Idempotent: what exists already is left as it is. */
export async function seedSandbox(env: SandboxEnv): Promise<void> {
  const iam = new IAMClient({
    region: env.aws.region,
    endpoint: env.aws.endpoint,
    credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
  });
  const ignoreExisting = (error: { name?: string }) => {
    if (error.name !== 'EntityAlreadyExistsException') throw error;
  };
  for (const [group, users] of Object.entries(seedMembers)) {
    await iam.send(new CreateGroupCommand({ GroupName: group })).catch(ignoreExisting);
    for (const user of users) {
      await iam.send(new CreateUserCommand({ UserName: user })).catch(ignoreExisting);
      await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    }
  }
  for (const cluster of env.clusters ?? [{ name: 'sandbox', kube: env.kube }]) {
    const { core } = kubeApis({
      server: cluster.kube.server,
      caData: cluster.kube.caData,
      token: cluster.kube.adminToken,
    });
    const namespace = 'kube-system';
    const existing = await kubeFind('reading aws-auth', () =>
      core.readNamespacedConfigMap({ name: 'aws-auth', namespace }),
    );
    if (!existing) {
      await kubeCall('creating aws-auth', () =>
        core.createNamespacedConfigMap({
          namespace,
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'aws-auth', namespace },
            data: { mapRoles: seedAwsAuth },
          },
        }),
      );
    }
  }
}

/**
 * The cluster `sandbox` in moto's EKS, so that bootstrapCluster's DescribeCluster finds it ACTIVE
 * (moto creates clusters ACTIVE, and reports no accessConfig: CONFIG_MAP, as EKS does for a cluster
 * created through the API without one). Its API is the sandbox's kube-apiserver either way.
 */
export async function seedEksCluster(env: SandboxEnv, name = 'sandbox', tags: Record<string, string> = {}) {
  const eks = new EKSClient({
    region: env.aws.region,
    endpoint: env.aws.endpoint,
    credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
  });
  await eks
    .send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
        resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'] },
        tags,
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'ResourceInUseException') throw error;
    });
}
