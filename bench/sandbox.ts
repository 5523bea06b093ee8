import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SandboxEnv, sandboxDown, sandboxUp } from '../scripts/sandbox/sandbox';
import { progress } from './progress';

/**
 * The bench's own sandbox (real kube-apiserver + moto) in a temporary state dir, never the
 * developer's `.sandbox` nor the test suite's; stopped and removed by `stop`, also on Ctrl-C.
 */
export async function benchSandbox(): Promise<{ env: SandboxEnv; stop: () => Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'eks-access-sync-bench-'));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sandboxDown(stateDir, (line) => progress('sandbox', line));
    rmSync(stateDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    progress('sandbox', `${signal}: stopping the sandbox`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const env = await sandboxUp(stateDir, (line) => progress('sandbox', line));
    return { env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
