import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { envFile, sandboxDown, sandboxUp } from '../../scripts/sandbox/sandbox';

/**
 * Integration and end-to-end tests get a sandbox of their own (real kube-apiserver, aws-iam-authenticator,
 * moto), started here and stopped afterwards, so a developer's running `npm run sandbox:up` is neither
 * used nor disturbed. The end-to-end project's has two clusters, each with its own apiserver.
 */
export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(join(tmpdir(), 'eks-access-sync-test-'));
  await sandboxUp(stateDir, undefined, { clusters: project.name === 'e2e' ? 2 : 1 });
  project.provide('sandboxEnvFile', envFile(stateDir));
  return async () => {
    await sandboxDown(stateDir, () => {});
    rmSync(stateDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    sandboxEnvFile: string;
  }
}
