import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeBinary, kubernetesVersion, startKube } from './kube';
import { motoVenv, startMoto } from './moto';
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
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  pids: { kube: number; moto: number };
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
  if (running && isAlive(running.pids.kube) && isAlive(running.pids.moto)) {
    log(`sandbox already running (${envFile(stateDir)})`);
    return running;
  }
  if (running) await sandboxDown(stateDir, log);
  const binary = kubeBinary(log);
  const moto = motoVenv(log);
  const started = Date.now();
  const [kube, aws] = await Promise.allSettled([startKube(binary, stateDir), startMoto(moto, stateDir)]);
  if (kube.status === 'rejected' || aws.status === 'rejected') {
    // No half-started sandbox: whatever did start is stopped again.
    if (kube.status === 'fulfilled') await stopProcessGroup(kube.value.pid);
    if (aws.status === 'fulfilled') await stopProcessGroup(aws.value.pid);
    throw kube.status === 'rejected' ? kube.reason : (aws as PromiseRejectedResult).reason;
  }
  const env: SandboxEnv = {
    kube: {
      server: kube.value.server,
      caData: kube.value.caData,
      adminToken: kube.value.adminToken,
      userTokens: kube.value.userTokens,
      version: kubernetesVersion,
    },
    aws: {
      endpoint: aws.value.endpoint,
      region: sandboxRegion,
      accessKeyId: 'testing',
      secretAccessKey: 'testing',
    },
    pids: { kube: kube.value.pid, moto: aws.value.pid },
  };
  writeFileSync(envFile(stateDir), `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });
  log(
    `sandbox up in ${((Date.now() - started) / 1000).toFixed(1)}s: kube ${env.kube.server}, moto ${env.aws.endpoint}`,
  );
  return env;
}

export async function sandboxDown(stateDir = defaultStateDir, log = (line: string) => console.error(line)) {
  const env = readEnv(stateDir);
  if (!env) {
    log('no sandbox running');
    return;
  }
  await Promise.all([stopProcessGroup(env.pids.kube), stopProcessGroup(env.pids.moto)]);
  rmSync(envFile(stateDir), { force: true });
  rmSync(join(stateDir, 'kube'), { recursive: true, force: true });
  log('sandbox stopped');
}

export function readEnv(stateDir = defaultStateDir): SandboxEnv | undefined {
  const file = envFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxEnv;
}
