import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { FleetRequest, SyncCommand } from '../app/sync/sync-command';

/** An event syncAccess does not know: rejected at once with what was wrong, never retried. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

const cloudTrailIamEvent = z.object({
  source: z.literal('aws.iam'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.object({
    eventSource: z.literal('iam.amazonaws.com'),
    eventName: z.enum([
      'AddUserToGroup',
      'RemoveUserFromGroup',
      'DeleteGroup',
      'UpdateGroup',
      'DeleteUser',
      'UpdateUser',
    ]),
    eventID: z.string().optional(),
    errorCode: z.string().optional(),
    requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});

const scheduledEvent = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

const manualInvoke = z.strictObject({
  action: z.enum(['plan', 'apply', 'rollback', 'fleet']),
  clusters: z.array(z.string().min(1)).min(1).optional(),
  force: z.boolean().optional(),
  /** A rollback is applied once per id: a re-sent invoke with the same id does nothing again. */
  requestId: z
    .string()
    .regex(/^[\w.:-]{1,100}$/, 'letters, digits, _ . : - only, at most 100')
    .optional(),
});

const name = z.string().regex(/^[\w+=,.@-]{1,128}$/);
const membershipParameters = z.object({ groupName: name, userName: name });

/**
 * Turns whatever invoked syncAccess into a command, or says exactly why it cannot. A rollback without
 * its own `requestId` takes `invocationId` (Lambda's request id, the same on Lambda's own retries).
 */
export function syncCommandFrom(
  event: unknown,
  invocationId: string = randomUUID(),
): SyncCommand | FleetRequest | { ignored: string } {
  if (typeof event === 'object' && event !== null && 'action' in event) {
    const parsed = manualInvoke.safeParse(event);
    if (!parsed.success) throw new InvalidEventError(`manual invoke: ${issues(parsed.error)}`);
    const { action, clusters, force, requestId } = parsed.data;
    const why = `manual ${action}`;
    if (action === 'fleet') {
      if (clusters || force !== undefined || requestId !== undefined)
        throw new InvalidEventError(
          'manual invoke: fleet lists every managed cluster; it takes no clusters, force or requestId',
        );
      return { kind: 'fleet', why };
    }
    if (action === 'rollback') {
      return {
        kind: 'rollback',
        ...(clusters ? { clusters } : {}),
        why,
        requestId: requestId ?? invocationId,
      };
    }
    return {
      kind: 'reconcile',
      apply: action === 'apply',
      force: force ?? false,
      ...(clusters ? { clusters } : {}),
      why,
    };
  }
  if (scheduledEvent.safeParse(event).success)
    return { kind: 'reconcile', apply: true, force: false, why: 'schedule' };
  const parsed = cloudTrailIamEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(
      `not an event syncAccess handles (a CloudTrail IAM group/user event, a schedule, or {"action": "plan"|"apply"|"rollback"|"fleet"}): ${issues(parsed.error)}`,
    );
  }
  const { eventName, errorCode, eventID, requestParameters } = parsed.data.detail;
  const why = `${eventName}${eventID ? ` ${eventID}` : ''}`;
  // A call that failed changed nothing in IAM.
  if (errorCode) return { ignored: `${eventName} failed in IAM (${errorCode}); nothing changed` };
  if (eventName === 'AddUserToGroup' || eventName === 'RemoveUserFromGroup') {
    const params = membershipParameters.safeParse(requestParameters);
    if (!params.success)
      throw new InvalidEventError(`${eventName} event: requestParameters ${issues(params.error)}`);
    return {
      kind: 'membership',
      changes: [{ userName: params.data.userName, group: params.data.groupName }],
      why,
    };
  }
  // Renames, deletions: the affected entries are not knowable from the event alone; reconcile.
  return { kind: 'reconcile', apply: true, force: false, why };
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
}
