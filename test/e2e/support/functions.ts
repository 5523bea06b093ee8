import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { lambdaContext as contextOf } from '../../../scripts/sandbox/function-events';

export { membershipEvent, sampleEvent } from '../../../scripts/sandbox/function-events';

/** The Lambda context the end-to-end tests invoke the functions with. */
export const lambdaContext = contextOf('eks-access-sync-e2e-syncAccess');

/** Configures the functions as `invoke local --stage sandbox` does: this config, this run's sandbox. */
export function useFunctionsWith(configYaml: string): void {
  const file = join(tmpdir(), `e2e-access-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(file, configYaml);
  process.env.ACCESS_CONFIG_PATH = file;
  process.env.SANDBOX_ENV_FILE = inject('sandboxEnvFile');
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}

/** The syncAccess Lambda handler itself (handlers/sync-access.ts), invoked with an event. */
export async function invokeSyncAccess(event: unknown): Promise<Record<string, unknown>> {
  const { handler } = await import('../../../handlers/sync-access');
  return (await handler(event as never, lambdaContext as never)) as Record<string, unknown>;
}
