import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// serverless-esbuild builds in the project's .esbuild folder: two serverless commands at once
// (test files run in parallel) would overwrite each other's bundles.
const lock = resolve(import.meta.dirname, '../../.esbuild.lock');

function holderAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `work` while no other test process runs a serverless command in this checkout. */
export async function withServerlessLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (!holderAlive()) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error('waited 10 minutes for another serverless command in this checkout');
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
