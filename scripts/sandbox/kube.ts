import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { goBinary } from './go-binary';
import { startDetached, waitFor } from './processes';

/** The pinned Kubernetes release; EKS supports it. Keep in step with test/sandbox/kube/go.mod. */
export const kubernetesVersion = 'v1.34.4';

const moduleDir = resolve(import.meta.dirname, '../../test/sandbox/kube');

export interface KubeReady {
  server: string;
  caData: string;
  adminToken: string;
  userTokens: Record<string, string>;
  pid: number;
}

/** Path of the cached sandbox-kube binary, building it first when go.mod, go.sum or a source changed. */
export function kubeBinary(log: (line: string) => void = console.error): string {
  const ldflags = [
    '-s -w',
    `-X k8s.io/component-base/version.gitVersion=${kubernetesVersion}`,
    '-X k8s.io/component-base/version.gitMajor=1',
    `-X k8s.io/component-base/version.gitMinor=${kubernetesVersion.split('.')[1]}`,
  ].join(' ');
  return goBinary(
    {
      moduleDir,
      name: 'sandbox-kube',
      what: `kube-apiserver ${kubernetesVersion} from k8s.io/kubernetes`,
      ldflags,
    },
    log,
  );
}

/** The token webhook the apiserver asks after its static tokens, and how long it keeps an answer. */
export interface KubeWebhook {
  configFile: string;
  cacheTtl: string;
}

/** Starts one apiserver; `name` is its folder and log under stateDir (`kube`, `kube-sandbox-2`, …). */
export async function startKube(
  binary: string,
  stateDir: string,
  webhook?: KubeWebhook,
  name = 'kube',
): Promise<KubeReady> {
  const dir = join(stateDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = ['serve', '--dir', dir];
  if (webhook) args.push('--webhook-config', webhook.configFile, '--webhook-cache-ttl', webhook.cacheTtl);
  const pid = startDetached(binary, args, join(stateDir, `${name}.log`));
  const readyFile = join(dir, 'ready.json');
  return waitFor('kube-apiserver', 60_000, async () => {
    if (!existsSync(readyFile)) {
      try {
        process.kill(pid, 0);
      } catch {
        throw new Error(`kube-apiserver exited during start-up; see ${join(stateDir, `${name}.log`)}`);
      }
      return undefined;
    }
    return JSON.parse(readFileSync(readyFile, 'utf8')) as KubeReady;
  }).catch((error: unknown) => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
    throw error;
  });
}
