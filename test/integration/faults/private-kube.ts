import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type KubeReady, kubeBinary, startKube } from '../../../scripts/sandbox/kube';
import { isAlive, startDetached, stopProcessGroup, waitFor } from '../../../scripts/sandbox/processes';
import type { ClusterEndpoint } from '../../../src/app/ports';

/**
 * A kube-apiserver of this test's own (never the shared test sandbox, which other tests use):
 * stopped, paused and restarted at will. A restart keeps etcd's data; the apiserver comes back
 * on the same port with fresh credentials, as its start-up always makes them.
 */
export class PrivateKube {
  private constructor(
    private readonly binary: string,
    private readonly stateDir: string,
    private ready: KubeReady,
  ) {}

  static async start(): Promise<PrivateKube> {
    const binary = kubeBinary();
    const stateDir = mkdtempSync(join(tmpdir(), 'eks-access-sync-fault-kube-'));
    return new PrivateKube(binary, stateDir, await startKube(binary, stateDir));
  }

  get endpoint(): ClusterEndpoint {
    return { server: this.ready.server, caData: this.ready.caData, token: this.ready.adminToken };
  }

  /** An uncounted client for setting up and checking, valid until the next restart. */
  admin(): CoreV1Api {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: 'private', server: this.ready.server, caData: this.ready.caData, skipTLSVerify: false },
      { name: 'admin', token: this.ready.adminToken },
    );
    return kc.makeApiClient(CoreV1Api);
  }

  async stop(): Promise<void> {
    await stopProcessGroup(this.ready.pid);
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, as a hung apiserver does. */
  pause(): void {
    process.kill(-this.ready.pid, 'SIGSTOP');
  }

  resume(): void {
    process.kill(-this.ready.pid, 'SIGCONT');
  }

  async restart(): Promise<void> {
    if (isAlive(this.ready.pid)) await this.stop();
    const dir = join(this.stateDir, 'kube');
    const readyFile = join(dir, 'ready.json');
    rmSync(readyFile, { force: true });
    const port = new URL(this.ready.server).port;
    const pid = startDetached(
      this.binary,
      ['serve', '--dir', dir, '--port', port],
      join(this.stateDir, 'kube.log'),
    );
    this.ready = await waitFor('kube-apiserver (restarted)', 60_000, async () => {
      if (!isAlive(pid))
        throw new Error(`kube-apiserver exited on restart; see ${join(this.stateDir, 'kube.log')}`);
      return existsSync(readyFile) ? (JSON.parse(readFileSync(readyFile, 'utf8')) as KubeReady) : undefined;
    });
  }

  async destroy(): Promise<void> {
    if (isAlive(this.ready.pid)) {
      this.resume();
      await this.stop();
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
