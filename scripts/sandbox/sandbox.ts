import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authenticatorServerBinary,
  connectAuthenticator,
  sandboxClusterId,
  startAuthenticator,
  webhookCacheTtl,
} from './authenticator';
import { type FunctionIdentity, functionIdentity, sandboxKmsKey } from './function-identity';
import { kubeBinary, kubernetesVersion, startKube } from './kube';
import { eksEndpointsFile, motoVenv, startMoto } from './moto';
import { isAlive, stopProcessGroup } from './processes';
import { seedEksCluster } from './seed';
import { requireTools } from './tools';

/** What `.sandbox/env.json` holds: everything tests, `invoke local --stage sandbox` and the CLI need. */
export interface SandboxEnv {
  kube: SandboxKube;
  /**
   * The real aws-iam-authenticator server, the apiserver's token webhook: EKS bearer tokens are checked
   * as on EKS and mapped through kube-system/aws-auth.
   */
  authenticator: SandboxAuthenticator;
  /**
   * Every cluster of the sandbox (`npm run sandbox:up -- --clusters N`): each its own apiserver and
   * authenticator, and its own EKS cluster in moto. The first, `sandbox`, is also `kube`/`authenticator`.
   */
  clusters: SandboxCluster[];
  /**
   * moto. `accessKeyId`/`secretAccessKey` are moto's default keys, for setting things up; `function` is a
   * session of the functions' own role, which they sign EKS tokens with (mapped as the cluster creator).
   */
  aws: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    function: FunctionIdentity;
    /** A customer-managed key in moto's KMS for the kubeconfig secrets (the example's readers need one). */
    kmsKeyArn: string;
  };
  /** Every process the sandbox started, by name. */
  pids: Record<string, number>;
}

export interface SandboxKube {
  server: string;
  caData: string;
  adminToken: string;
  userTokens: Record<string, string>;
  version: string;
}

export interface SandboxAuthenticator {
  clusterId: string;
  webhook: string;
  health: string;
  cacheTtl: string;
}

export interface SandboxCluster {
  name: string;
  kube: SandboxKube;
  authenticator: SandboxAuthenticator;
}

/** The clusters' names: `sandbox`, then `sandbox-2`, `sandbox-3`, … (the example config's selector matches them). */
export function sandboxClusterNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i === 0 ? sandboxClusterId : `${sandboxClusterId}-${i + 1}`,
  );
}

export const defaultStateDir = '.sandbox';
export const sandboxRegion = 'us-east-1';

export function envFile(stateDir: string): string {
  return join(stateDir, 'env.json');
}

export interface SandboxOptions {
  /** How many clusters (each a kube-apiserver with its own aws-iam-authenticator); default 1. */
  clusters?: number;
}

export async function sandboxUp(
  stateDir = defaultStateDir,
  log = (line: string) => console.error(line),
  options: SandboxOptions = {},
): Promise<SandboxEnv> {
  const count = options.clusters ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 8) {
    throw new Error(`--clusters must be a whole number from 1 to 8, got ${options.clusters}`);
  }
  requireTools(['go', 'python3']);
  mkdirSync(stateDir, { recursive: true });
  const running = readEnv(stateDir);
  if (running?.clusters?.length === count && Object.values(running.pids).every((pid) => isAlive(pid))) {
    log(`sandbox already running (${envFile(stateDir)})`);
    return running;
  }
  if (running) await sandboxDown(stateDir, log);
  const binary = kubeBinary(log);
  const authenticatorBinary = authenticatorServerBinary(log);
  const moto = motoVenv(log);
  const started = Date.now();
  // Order matters: the authenticator asks moto who signed a token, and an apiserver needs its
  // authenticator's webhook kubeconfig before it starts; the authenticator then reads aws-auth from it.
  // Whatever did start is stopped again when a later step fails: no half-started sandbox.
  const pids: Record<string, number> = {};
  try {
    const aws = await startMoto(moto, stateDir);
    pids.moto = aws.pid;
    const identity = await functionIdentity(aws.endpoint, sandboxRegion);
    const kmsKeyArn = await sandboxKmsKey(aws.endpoint, sandboxRegion);
    const clusters: SandboxCluster[] = [];
    for (const [i, name] of sandboxClusterNames(count).entries()) {
      const suffix = i === 0 ? '' : `-${name}`;
      const auth = await startAuthenticator(
        authenticatorBinary,
        stateDir,
        aws.endpoint,
        identity.roleArn,
        name,
        `authenticator${suffix}`,
      );
      pids[`authenticator${suffix}`] = auth.pid;
      const webhook = { configFile: auth.webhookConfig, cacheTtl: webhookCacheTtl };
      const kube = await startKube(binary, stateDir, webhook, `kube${suffix}`);
      pids[`kube${suffix}`] = kube.pid;
      await connectAuthenticator(auth, kube);
      clusters.push({
        name,
        kube: {
          server: kube.server,
          caData: kube.caData,
          adminToken: kube.adminToken,
          userTokens: kube.userTokens,
          version: kubernetesVersion,
        },
        authenticator: {
          clusterId: name,
          webhook: auth.webhook,
          health: auth.health,
          cacheTtl: webhookCacheTtl,
        },
      });
    }
    // From now on, an EKS cluster created in moto leads to the apiserver of its name, any other name to
    // the first one's (test/sandbox/moto/server.py).
    const endpoint = (c: SandboxCluster) => ({ endpoint: c.kube.server, caData: c.kube.caData });
    const first = clusters[0] as SandboxCluster;
    writeFileSync(
      eksEndpointsFile(stateDir),
      JSON.stringify({
        default: endpoint(first),
        byName: Object.fromEntries(clusters.map((c) => [c.name, endpoint(c)])),
      }),
    );
    const env: SandboxEnv = {
      kube: first.kube,
      authenticator: first.authenticator,
      clusters,
      aws: {
        endpoint: aws.endpoint,
        region: sandboxRegion,
        accessKeyId: 'testing',
        secretAccessKey: 'testing',
        function: identity,
        kmsKeyArn,
      },
      pids,
    };
    // Each cluster is an EKS cluster in moto too, so DescribeCluster finds it ACTIVE (the ones after the
    // first tagged as the example config's bootstrap selector wants).
    for (const [i, c] of clusters.entries()) {
      await seedEksCluster(env, c.name, i === 0 ? {} : { 'eks-access-sync': 'managed' });
    }
    writeFileSync(envFile(stateDir), `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });
    log(
      `sandbox up in ${((Date.now() - started) / 1000).toFixed(1)}s: ${clusters.map((c) => `${c.name} ${c.kube.server}`).join(', ')}; moto ${env.aws.endpoint}; aws-iam-authenticator as each cluster's token webhook`,
    );
    return env;
  } catch (error) {
    await Promise.all(Object.values(pids).map((pid) => stopProcessGroup(pid)));
    throw error;
  }
}

export async function sandboxDown(stateDir = defaultStateDir, log = (line: string) => console.error(line)) {
  const env = readEnv(stateDir);
  if (!env) {
    log('no sandbox running');
    return;
  }
  await Promise.all(Object.values(env.pids).map((pid) => stopProcessGroup(pid)));
  rmSync(envFile(stateDir), { force: true });
  for (const name of Object.keys(env.pids)) rmSync(join(stateDir, name), { recursive: true, force: true });
  rmSync(eksEndpointsFile(stateDir), { force: true });
  log('sandbox stopped');
}

export function readEnv(stateDir = defaultStateDir): SandboxEnv | undefined {
  const file = envFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxEnv;
}
