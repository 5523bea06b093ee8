import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { goBinary } from './go-binary';
import { freePort } from './moto';
import { isAlive, startDetached, stopProcessGroup, waitFor } from './processes';

const moduleDir = resolve(import.meta.dirname, '../../test/sandbox/authenticator');

/** The cluster ID the sandbox's tokens are signed for (`x-k8s-aws-id`); on EKS it is the cluster's name. */
export const sandboxClusterId = 'sandbox';

/**
 * How long the apiserver keeps the webhook's answer for a token (`--authentication-token-webhook-cache-ttl`,
 * default 2 minutes; refusals are cached as long). Short here, so that a removed user is refused again
 * within seconds in tests and the demo.
 */
export const webhookCacheTtl = '10s';

/** The real aws-iam-authenticator server, built from test/sandbox/authenticator (its go.mod pins the release). */
export function authenticatorServerBinary(log: (line: string) => void = console.error): string {
  return goBinary(
    {
      moduleDir,
      name: 'sandbox-authenticator',
      what: 'the aws-iam-authenticator server from sigs.k8s.io/aws-iam-authenticator',
    },
    log,
  );
}

export interface AuthenticatorStarting {
  pid: number;
  logFile: string;
  /** The kubeconfig for the apiserver's --authentication-token-webhook-config-file. */
  webhookConfig: string;
  webhook: string;
  health: string;
  /** Where the authenticator waits for a kubeconfig of the running apiserver (see connectAuthenticator). */
  apiserverKubeconfig: string;
}

/**
 * Phase one: the authenticator writes its certificate and webhook kubeconfig, which the apiserver needs
 * before it starts; it then waits for the apiserver (connectAuthenticator).
 */
export async function startAuthenticator(
  binary: string,
  stateDir: string,
  motoEndpoint: string,
  creatorRoleArn: string,
  clusterId = sandboxClusterId,
  name = 'authenticator',
) {
  const dir = join(stateDir, name);
  const logFile = join(stateDir, `${name}.log`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [port, healthPort] = [await freePort(), await freePort()];
  const apiserverKubeconfig = join(dir, 'apiserver.kubeconfig');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Nothing about the verification is relaxed; only where AWS lives changes: moto, never the network.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: motoEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  const args = ['serve', '--dir', dir, '--port', String(port), '--health-port', String(healthPort)];
  args.push('--cluster-id', clusterId, '--moto', motoEndpoint, '--kubeconfig', apiserverKubeconfig);
  args.push('--creator-role', creatorRoleArn);
  const pid = startDetached(binary, args, logFile, env);
  const webhookConfig = join(dir, 'webhook.kubeconfig');
  try {
    await waitFor('aws-iam-authenticator (webhook kubeconfig)', 30_000, async () => {
      if (!isAlive(pid)) throw new Error(`aws-iam-authenticator exited; see ${logFile}`);
      return existsSync(webhookConfig) ? true : undefined;
    });
  } catch (error) {
    await stopProcessGroup(pid);
    throw error;
  }
  return {
    pid,
    logFile,
    webhookConfig,
    webhook: `https://127.0.0.1:${port}/authenticate`,
    health: `http://127.0.0.1:${healthPort}/healthz`,
    apiserverKubeconfig,
  } satisfies AuthenticatorStarting;
}

/** Phase two: the authenticator reads kube-system/aws-auth from the running apiserver, and serves. */
export async function connectAuthenticator(
  auth: AuthenticatorStarting,
  apiserver: { server: string; caData: string; adminToken: string },
): Promise<void> {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'sandbox',
        cluster: { server: apiserver.server, 'certificate-authority-data': apiserver.caData },
      },
    ],
    users: [{ name: 'aws-iam-authenticator', user: { token: apiserver.adminToken } }],
    contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'aws-iam-authenticator' } }],
    'current-context': 'sandbox',
  };
  writeFileSync(`${auth.apiserverKubeconfig}.tmp`, JSON.stringify(kubeconfig), { mode: 0o600 });
  // Renamed into place so the authenticator never reads half a file.
  renameSync(`${auth.apiserverKubeconfig}.tmp`, auth.apiserverKubeconfig);
  await waitFor('aws-iam-authenticator', 30_000, async () => {
    if (!isAlive(auth.pid)) throw new Error(`aws-iam-authenticator exited; see ${auth.logFile}`);
    const ok = await fetch(auth.health).then(
      (r) => r.ok,
      () => false,
    );
    return ok ? true : undefined;
  });
}
