import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const eventsDir = resolve(import.meta.dirname, '../../events');

/** One of the repository's sample events (events/*.json), as `serverless invoke --path` sends it. */
export function sampleEvent(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as Record<string, unknown>;
}

/** The CloudTrail event EventBridge delivers for a membership change (events/iam-*.json), for this user and group. */
export function membershipEvent(
  eventName: 'AddUserToGroup' | 'RemoveUserFromGroup',
  groupName: string,
  userName: string,
): Record<string, unknown> {
  const event = sampleEvent(
    eventName === 'AddUserToGroup' ? 'iam-add-user-to-group.json' : 'iam-remove-user-from-group.json',
  ) as { detail: Record<string, unknown> };
  event.detail.requestParameters = { groupName, userName };
  event.detail.eventID = crypto.randomUUID();
  return event;
}

/** A Lambda context like the one `serverless invoke local` gives a function of that name. */
export function lambdaContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1769',
    awsRequestId: crypto.randomUUID(),
    getRemainingTimeInMillis: () => 60_000,
  };
}
