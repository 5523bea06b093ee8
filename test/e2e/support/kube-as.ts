import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { kubeBinary } from '../../../scripts/sandbox/kube';
import { motoVenv } from '../../../scripts/sandbox/moto';
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
): Promise<WhoAmI> {
  const env = sandbox();
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

export interface KubectlRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real kubectl (the sandbox's build) as a person, with a token signed with the person's own AWS
 * credentials. `botocore` (default): the kubeconfig has an `exec` entry like the one `aws eks
 * update-kubeconfig` writes, and the token comes from botocore presigning, a generator that is not ours.
 * `eks-access-sync`: the project's own generator, its token written into the kubeconfig.
 */
export async function kubectlAs(
  credentials: AwsCredentials,
  args: string[],
  options: { generator?: 'botocore' | 'eks-access-sync'; clusterId?: string } = {},
): Promise<KubectlRun> {
  const env = sandbox();
  const clusterId = options.clusterId ?? env.authenticator.clusterId;
  const dir = mkdtempSync(join(tmpdir(), 'e2e-kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  const python = join(dirname(motoVenv(() => {})), 'python');
  const awsEnv = [
    { name: 'AWS_ACCESS_KEY_ID', value: credentials.accessKeyId },
    { name: 'AWS_SECRET_ACCESS_KEY', value: credentials.secretAccessKey },
    ...(credentials.sessionToken ? [{ name: 'AWS_SESSION_TOKEN', value: credentials.sessionToken }] : []),
  ];
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterId,
        cluster: { server: env.kube.server, 'certificate-authority-data': env.kube.caData },
      },
    ],
    users: [
      {
        name: 'me',
        user:
          options.generator === 'eks-access-sync'
            ? {
                token: (await eksToken({ clusterName: clusterId, region: env.aws.region, credentials }))
                  .token,
              }
            : {
                exec: {
                  apiVersion: 'client.authentication.k8s.io/v1beta1',
                  command: python,
                  args: [join(import.meta.dirname, 'botocore-token.py'), clusterId, env.aws.region],
                  env: awsEnv,
                  interactiveMode: 'Never',
                },
              },
      },
    ],
    contexts: [{ name: 'me', context: { cluster: clusterId, user: 'me' } }],
    'current-context': 'me',
  };
  writeFileSync(kubeconfig, JSON.stringify(config), { mode: 0o600 });
  try {
    const isolated: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const run = spawnSync(
      kubeBinary(() => {}),
      ['kubectl', '--kubeconfig', kubeconfig, ...args],
      {
        encoding: 'utf8',
        env: isolated,
        timeout: 60_000,
      },
    );
    return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What kubectl prints when the apiserver refuses the token: kubectl 1.34 (the sandbox's) reports a 401 as
 * `(the server has asked for the client to provide credentials)`, older releases as `(Unauthorized)`.
 */
export const unauthorized =
  /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/m;

/** `kubectl auth can-i VERB RESOURCE -n NAMESPACE` as that person: what the cluster itself decides. */
export async function canI(credentials: AwsCredentials, verb: string, resource: string, namespace: string) {
  return (await kubectlAs(credentials, ['auth', 'can-i', verb, resource, '-n', namespace])).stdout;
}
