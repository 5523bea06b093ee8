/**
 * `npm start`: the main job in one command. Starts a sandbox of its own (kube-apiserver, the real
 * aws-iam-authenticator, moto), tells the story with real output, and stops everything it started, also
 * on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { envFile, type SandboxEnv, sandboxDown, sandboxUp } from '../sandbox/sandbox';
import { seedSandbox } from '../sandbox/seed';
import { story } from './story';

const stateDir = mkdtempSync(join(tmpdir(), 'eks-access-sync-demo-'));
let stopping: Promise<void> | undefined;
let interrupted = false;

function stop(): Promise<void> {
  stopping ??= sandboxDown(stateDir, () => {}).finally(() =>
    rmSync(stateDir, { recursive: true, force: true }),
  );
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the sandbox…`);
    void stop().finally(() => process.exit(130));
  });
}

try {
  console.log('Starting the sandbox: kube-apiserver, aws-iam-authenticator as its token webhook, moto…');
  const env: SandboxEnv = await sandboxUp(stateDir, (line) => console.log(`  ${line}`));
  // Should this process die without its finally (kill -9, a crash), the reaper stops the sandbox.
  spawn(
    process.execPath,
    [
      resolve(import.meta.dirname, '../sandbox/reaper.mjs'),
      String(process.pid),
      stateDir,
      ...Object.values(env.pids).map(String),
    ],
    {
      detached: true,
      stdio: 'ignore',
    },
  ).unref();
  await seedSandbox(env);
  // The functions run in this process exactly as `serverless invoke local --stage sandbox` runs them.
  process.env.ACCESS_CONFIG_PATH = resolve(import.meta.dirname, '../../examples/sandbox/access.yaml');
  process.env.SANDBOX_ENV_FILE = envFile(stateDir);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  await story(env);
  console.log('\nDone. Stopping the sandbox.');
} catch (error) {
  if (!interrupted)
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await stop();
}
