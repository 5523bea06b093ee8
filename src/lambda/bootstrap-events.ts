import * as z from 'zod';
import type { BootstrapCommand } from '../app/bootstrap/bootstrap-cluster';
import type { RecheckMessage } from '../app/bootstrap/bootstrap-ports';
import { InvalidEventError } from './sync-events';

const clusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'not an EKS cluster name');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region such as us-east-1');
const accountId = z.string().regex(/^\d{12}$/);
const tags = z.record(z.string(), z.string());

const cloudTrailEksEvent = z.object({
  source: z.literal('aws.eks'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  account: accountId.optional(),
  detail: z.object({
    eventSource: z.literal('eks.amazonaws.com'),
    eventName: z.enum(['CreateCluster', 'DeleteCluster']),
    awsRegion: region,
    eventTime: z.iso.datetime({ offset: true }),
    eventID: z.string().optional(),
    errorCode: z.string().optional(),
    recipientAccountId: accountId.optional(),
    requestParameters: z.object({ name: clusterName, tags: tags.nullish() }).nullish(),
  }),
});

const manualInvoke = z.strictObject({
  cluster: clusterName,
  region,
  accountId: accountId.optional(),
  action: z.enum(['bootstrap', 'cleanup']).default('bootstrap'),
});

export const recheckMessageSchema = z.object({
  kind: z.literal('eks-access-sync/bootstrap-recheck'),
  cluster: z.object({ name: clusterName, region, accountId: accountId.optional(), tags: tags.optional() }),
  attempt: z.number().int().min(1),
  firstSeenAt: z.iso.datetime({ offset: true }),
  why: z.string(),
  lastReason: z.string().optional(),
});

/**
 * Turns a direct invoke of bootstrapCluster (a CloudTrail EKS event, or a person's
 * `{"cluster": "name", "region": "…"}`) into a command, or says exactly why it cannot.
 */
export function bootstrapCommandFrom(
  event: unknown,
  now: () => Date,
): BootstrapCommand | { ignored: string } {
  if (typeof event === 'object' && event !== null && 'cluster' in event && !('detail' in event)) {
    const parsed = manualInvoke.safeParse(event);
    if (!parsed.success) throw new InvalidEventError(`manual invoke: ${issues(parsed.error)}`);
    const { cluster, region, accountId, action } = parsed.data;
    const ref = { name: cluster, region, ...(accountId ? { accountId } : {}) };
    const why = `manual ${action}`;
    if (action === 'cleanup') return { kind: 'cleanup', cluster: ref, why };
    return { kind: 'bootstrap', cluster: ref, attempt: 1, firstSeenAt: now(), why };
  }
  const parsed = cloudTrailEksEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(
      `not an event bootstrapCluster handles (a CloudTrail EKS CreateCluster/DeleteCluster event, a re-check, or {"cluster": "name", "region": "us-east-1"}): ${issues(parsed.error)}`,
    );
  }
  const { detail, account } = parsed.data;
  const why = `${detail.eventName}${detail.eventID ? ` ${detail.eventID}` : ''}`;
  // A call that failed made or deleted nothing.
  if (detail.errorCode)
    return { ignored: `${detail.eventName} failed in EKS (${detail.errorCode}); nothing to do` };
  const name = detail.requestParameters?.name;
  if (!name) throw new InvalidEventError(`${detail.eventName} event: requestParameters.name is missing`);
  const accountOf = detail.recipientAccountId ?? account;
  const ref = {
    name,
    region: detail.awsRegion,
    ...(accountOf ? { accountId: accountOf } : {}),
    ...(detail.requestParameters?.tags ? { tags: detail.requestParameters.tags } : {}),
  };
  if (detail.eventName === 'DeleteCluster') return { kind: 'cleanup', cluster: ref, why };
  return { kind: 'bootstrap', cluster: ref, attempt: 1, firstSeenAt: new Date(detail.eventTime), why };
}

/** A re-check message from the function's own queue, as the command it stands for. */
export function recheckCommandFrom(body: unknown): BootstrapCommand {
  const parsed = recheckMessageSchema.safeParse(body);
  if (!parsed.success) throw new InvalidEventError(`re-check message: ${issues(parsed.error)}`);
  const message: RecheckMessage = parsed.data;
  return {
    kind: 'bootstrap',
    cluster: message.cluster,
    attempt: message.attempt,
    firstSeenAt: new Date(message.firstSeenAt),
    why: message.why,
  };
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
}
