import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { SandboxEnv } from '../../scripts/sandbox/sandbox';

/** The sandbox the integration project's global setup started. */
export function sandbox(): SandboxEnv {
  return JSON.parse(readFileSync(inject('sandboxEnvFile'), 'utf8')) as SandboxEnv;
}

/** A name no other test (or earlier run against the same moto) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
