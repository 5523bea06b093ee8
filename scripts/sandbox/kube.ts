import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir, contentKey } from './cache';
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
  const sources = readdirSync(moduleDir)
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .sort()
    .map((f) => join(moduleDir, f));
  const dir = join(cacheDir(), `sandbox-kube-${contentKey(sources)}`);
  const binary = join(dir, 'sandbox-kube');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(
    `building kube-apiserver ${kubernetesVersion} from k8s.io/kubernetes (first time only, several minutes)…`,
  );
  const started = Date.now();
  const ldflags = [
    '-s -w',
    `-X k8s.io/component-base/version.gitVersion=${kubernetesVersion}`,
    '-X k8s.io/component-base/version.gitMajor=1',
    `-X k8s.io/component-base/version.gitMinor=${kubernetesVersion.split('.')[1]}`,
  ].join(' ');
  const tmp = `${binary}.tmp-${process.pid}`;
  const build = spawnSync('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', tmp, '.'], {
    cwd: moduleDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  if (build.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`building sandbox-kube failed (go build exit ${build.status ?? build.signal})`);
  }
  renameSync(tmp, binary);
  log(`built in ${Math.round((Date.now() - started) / 1000)}s: ${binary}`);
  return binary;
}

export async function startKube(binary: string, stateDir: string): Promise<KubeReady> {
  const dir = join(stateDir, 'kube');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pid = startDetached(binary, ['serve', '--dir', dir], join(stateDir, 'kube.log'));
  const readyFile = join(dir, 'ready.json');
  return waitFor('kube-apiserver', 60_000, async () => {
    if (!existsSync(readyFile)) {
      try {
        process.kill(pid, 0);
      } catch {
        throw new Error(`kube-apiserver exited during start-up; see ${join(stateDir, 'kube.log')}`);
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
