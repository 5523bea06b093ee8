import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eksToken } from '../../src/adapters/eks-token';
import { kubeBinary } from './kube';
import { motoVenv } from './moto';
import type { SandboxEnv } from './sandbox';

export interface AwsIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface KubectlRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real kubectl (the sandbox's build) as a person, with a token signed with the person's own AWS
 * credentials. `botocore` (default): the kubeconfig has an `exec` entry like the one `aws eks
 * update-kubeconfig` writes, and the token comes from botocore presigning (botocore-token.py), a
 * generator that is not ours. `eks-access-sync`: the project's own generator, its token in the kubeconfig.
 */
export async function kubectlAs(
  env: SandboxEnv,
  credentials: AwsIdentity,
  args: string[],
  options: { generator?: 'botocore' | 'eks-access-sync'; clusterId?: string } = {},
): Promise<KubectlRun> {
  const clusterId = options.clusterId ?? env.authenticator.clusterId;
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-as-'));
  const kubeconfig = join(dir, 'config');
  const user =
    options.generator === 'eks-access-sync'
      ? { token: (await eksToken({ clusterName: clusterId, region: env.aws.region, credentials })).token }
      : {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: join(dirname(motoVenv(() => {})), 'python'),
            args: [join(import.meta.dirname, 'botocore-token.py'), clusterId, env.aws.region],
            env: [
              { name: 'AWS_ACCESS_KEY_ID', value: credentials.accessKeyId },
              { name: 'AWS_SECRET_ACCESS_KEY', value: credentials.secretAccessKey },
              ...(credentials.sessionToken
                ? [{ name: 'AWS_SESSION_TOKEN', value: credentials.sessionToken }]
                : []),
            ],
            interactiveMode: 'Never',
          },
        };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterId,
        cluster: { server: env.kube.server, 'certificate-authority-data': env.kube.caData },
      },
    ],
    users: [{ name: 'me', user }],
    contexts: [{ name: 'me', context: { cluster: clusterId, user: 'me' } }],
    'current-context': 'me',
  };
  writeFileSync(kubeconfig, JSON.stringify(config), { mode: 0o600 });
  try {
    return await kubectl(['--kubeconfig', kubeconfig, ...args], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sandbox's kubectl with only PATH and a HOME of its own: no AWS profile or kubeconfig of the machine's leaks in. */
export async function kubectl(args: string[], home: string): Promise<KubectlRun> {
  const isolated: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  // Asynchronous, so that a Ctrl-C reaches the caller's handlers while kubectl runs.
  const child = spawn(
    kubeBinary(() => {}),
    ['kubectl', ...args],
    { env: isolated, timeout: 60_000 },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const status = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done(code));
  });
  const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8').trim();
  return { status, stdout: text(out), stderr: text(err) };
}

/**
 * What kubectl prints when the apiserver refuses the token: kubectl 1.34 (the sandbox's) reports a 401 as
 * `(the server has asked for the client to provide credentials)`, older releases as `(Unauthorized)`.
 */
export const unauthorized =
  /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/m;
