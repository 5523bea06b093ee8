import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Api } from '@kubernetes/client-node';
import { kubeCall } from '../src/adapters/kubernetes/kube-call';
import { KubeConflictError } from '../src/adapters/kubernetes/kube-errors';
import { account } from './world';

/**
 * A person running `kubectl edit cm/aws-auth` over and over during a burst: read, append a
 * hand-written entry (mapRoles and mapUsers in turn), write back with the resourceVersion read;
 * on a 409 they re-open the editor and try again, as kubectl tells them to.
 */
export class HandEditor {
  readonly edits: string[] = [];
  conflicts = 0;
  failures = 0;
  private stopped = false;

  constructor(
    private readonly kube: CoreV1Api,
    private readonly namespace: string,
    private readonly label: string,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(everyMs: () => number): Promise<void> {
    let n = 0;
    while (!this.stopped) {
      await sleep(everyMs());
      if (this.stopped) break;
      n++;
      try {
        await this.edit(n);
      } catch {
        this.failures++;
      }
    }
  }

  private async edit(n: number): Promise<void> {
    const at = { name: 'aws-auth', namespace: this.namespace };
    const role = n % 2 === 1;
    const name = `hand-${this.label}-${n}`;
    const arn = `arn:aws:iam::${account}:${role ? 'role' : 'user'}/${name}`;
    const entry = role
      ? `- rolearn: ${arn}\n  username: ${name}\n  groups:\n    - view\n`
      : `- userarn: ${arn}\n  username: ${name}\n  groups:\n    - view\n`;
    const key = role ? 'mapRoles' : 'mapUsers';
    for (let attempt = 0; attempt < 20; attempt++) {
      const cm = await kubeCall('reading aws-auth', () => this.kube.readNamespacedConfigMap(at));
      const data = { ...(cm.data ?? {}) };
      data[key] = `${data[key] ?? ''}${entry}`;
      try {
        await kubeCall('replacing aws-auth', () =>
          this.kube.replaceNamespacedConfigMap({ ...at, body: { ...cm, data } }),
        );
        this.edits.push(arn);
        return;
      } catch (error) {
        if (!(error instanceof KubeConflictError)) throw error;
        this.conflicts++;
      }
    }
    throw new Error(`${name}: gave up after 20 conflicts`);
  }
}
