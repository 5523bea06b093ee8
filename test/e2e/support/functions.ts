import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

const eventsDir = resolve(import.meta.dirname, '../../../events');

/** A Lambda context like the one `serverless invoke local` gives. */
export const lambdaContext = {
  functionName: 'eks-access-sync-e2e-syncAccess',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eks-access-sync-e2e-syncAccess',
  memoryLimitInMB: '1769',
  awsRequestId: 'e2e00000-0000-4000-8000-000000000000',
  getRemainingTimeInMillis: () => 60_000,
};

/** Configures the functions as `invoke local --stage sandbox` does: this config, this run's sandbox. */
export function useFunctionsWith(configYaml: string): void {
  const file = join(tmpdir(), `e2e-access-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(file, configYaml);
  process.env.ACCESS_CONFIG_PATH = file;
  process.env.SANDBOX_ENV_FILE = inject('sandboxEnvFile');
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}

/** The CloudTrail event EventBridge delivers for a membership change (events/iam-*.json), for this user and group. */
export function membershipEvent(
  eventName: 'AddUserToGroup' | 'RemoveUserFromGroup',
  groupName: string,
  userName: string,
): unknown {
  const file =
    eventName === 'AddUserToGroup' ? 'iam-add-user-to-group.json' : 'iam-remove-user-from-group.json';
  const event = JSON.parse(readFileSync(join(eventsDir, file), 'utf8'));
  event.detail.requestParameters = { groupName, userName };
  event.detail.eventID = crypto.randomUUID();
  return event;
}

/** The syncAccess Lambda handler itself (handlers/sync-access.ts), invoked with an event. */
export async function invokeSyncAccess(event: unknown): Promise<Record<string, unknown>> {
  const { handler } = await import('../../../handlers/sync-access');
  return (await handler(event as never, lambdaContext as never)) as Record<string, unknown>;
}
