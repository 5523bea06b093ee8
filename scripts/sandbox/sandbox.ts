import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authenticatorServerBinary,
  connectAuthenticator,
  sandboxClusterId,
  startAuthenticator,
  webhookCacheTtl,
} from './authenticator';
import { type FunctionIdentity, functionIdentity } from './function-identity';
import { kubeBinary, kubernetesVersion, startKube } from './kube';
import { eksEndpointsFile, motoVenv, startMoto } from './moto';
import { isAlive, stopProcessGroup } from './processes';
import { requireTools } from './tools';

/** What `.sandbox/env.json` holds: everything tests, `invoke local --stage sandbox` and the CLI need. */
export interface SandboxEnv {
  kube: {
    server: string;
    caData: string;
    adminToken: string;
    userTokens: Record<string, string>;
    version: string;
  };
  /**
   * The real aws-iam-authenticator server, the apiserver's token webhook: EKS bearer tokens are checked
   * as on EKS and mapped through kube-system/aws-auth.
   */
  authenticator: { clusterId: string; webhook: string; health: string; cacheTtl: string };
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
  };
  pids: { kube: number; moto: number; authenticator: number };
}

export const defaultStateDir = '.sandbox';
export const sandboxRegion = 'us-east-1';

export function envFile(stateDir: string): string {
  return join(stateDir, 'env.json');
}

export async function sandboxUp(stateDir = defaultStateDir, log = (line: string) => console.error(line)) {
  requireTools(['go', 'python3']);
  mkdirSync(stateDir, { recursive: true });
  const running = readEnv(stateDir);
  if (running && Object.values(running.pids ?? {}).every((pid) => isAlive(pid)) && running.authenticator) {
    log(`sandbox already running (${envFile(stateDir)})`);
    return running;
  }
  if (running) await sandboxDown(stateDir, log);
  const binary = kubeBinary(log);
  const authenticatorBinary = authenticatorServerBinary(log);
  const moto = motoVenv(log);
  const started = Date.now();
  // Order matters: the authenticator asks moto who signed a token, and the apiserver needs the
  // authenticator's webhook kubeconfig before it starts; the authenticator then reads aws-auth from it.
  // Whatever did start is stopped again when a later step fails: no half-started sandbox.
  const startedPids: number[] = [];
  let kube: Awaited<ReturnType<typeof startKube>>;
  let aws: Awaited<ReturnType<typeof startMoto>>;
  let auth: Awaited<ReturnType<typeof startAuthenticator>>;
  let identity: FunctionIdentity;
  try {
    aws = await startMoto(moto, stateDir);
    startedPids.push(aws.pid);
    identity = await functionIdentity(aws.endpoint, sandboxRegion);
    auth = await startAuthenticator(authenticatorBinary, stateDir, aws.endpoint, identity.roleArn);
    startedPids.push(auth.pid);
    kube = await startKube(binary, stateDir, { configFile: auth.webhookConfig, cacheTtl: webhookCacheTtl });
    startedPids.push(kube.pid);
    await connectAuthenticator(auth, kube, stateDir);
    // From now on, every EKS cluster created in moto leads to this apiserver (test/sandbox/moto/server.py).
    writeFileSync(eksEndpointsFile(stateDir), JSON.stringify({ endpoint: kube.server, caData: kube.caData }));
  } catch (error) {
    await Promise.all(startedPids.map((pid) => stopProcessGroup(pid)));
    throw error;
  }
  const env: SandboxEnv = {
    kube: {
      server: kube.server,
      caData: kube.caData,
      adminToken: kube.adminToken,
      userTokens: kube.userTokens,
      version: kubernetesVersion,
    },
    authenticator: {
      clusterId: sandboxClusterId,
      webhook: auth.webhook,
      health: auth.health,
      cacheTtl: webhookCacheTtl,
    },
    aws: {
      endpoint: aws.endpoint,
      region: sandboxRegion,
      accessKeyId: 'testing',
      secretAccessKey: 'testing',
      function: identity,
    },
    pids: { kube: kube.pid, moto: aws.pid, authenticator: auth.pid },
  };
  writeFileSync(envFile(stateDir), `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });
  log(
    `sandbox up in ${((Date.now() - started) / 1000).toFixed(1)}s: kube ${env.kube.server}, moto ${env.aws.endpoint}, aws-iam-authenticator ${env.authenticator.webhook}`,
  );
  return env;
}

export async function sandboxDown(stateDir = defaultStateDir, log = (line: string) => console.error(line)) {
  const env = readEnv(stateDir);
  if (!env) {
    log('no sandbox running');
    return;
  }
  await Promise.all(Object.values(env.pids).map((pid) => stopProcessGroup(pid)));
  rmSync(envFile(stateDir), { force: true });
  rmSync(join(stateDir, 'kube'), { recursive: true, force: true });
  rmSync(join(stateDir, 'authenticator'), { recursive: true, force: true });
  rmSync(eksEndpointsFile(stateDir), { force: true });
  log('sandbox stopped');
}

export function readEnv(stateDir = defaultStateDir): SandboxEnv | undefined {
  const file = envFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxEnv;
}
