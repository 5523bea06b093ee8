import * as z from 'zod';
import { type RotationCommand, rotationSteps } from '../app/rotation/rotation-command';
import { InvalidEventError } from './sync-events';

export { InvalidEventError };

const scheduledEvent = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/** What Secrets Manager sends a rotation function, once per step. */
const rotationStepEvent = z.object({
  Step: z.enum(rotationSteps),
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(32).max(64),
});

const manualInvoke = z.strictObject({
  user: z.string().min(1),
  cluster: z.string().min(1).optional(),
  force: z.boolean().optional(),
});

/** Turns whatever invoked rotateTokens into a command, or says exactly why it cannot. */
export function rotationCommandFrom(event: unknown): RotationCommand {
  const object = typeof event === 'object' && event !== null ? event : {};
  if ('Step' in object) {
    const parsed = rotationStepEvent.safeParse(event);
    if (!parsed.success)
      throw new InvalidEventError(`Secrets Manager rotation event: ${issues(parsed.error)}`);
    const { Step, SecretId, ClientRequestToken } = parsed.data;
    return {
      kind: 'step',
      step: Step,
      secretId: SecretId,
      versionId: ClientRequestToken,
      why: `Secrets Manager ${Step} ${ClientRequestToken}`,
    };
  }
  if ('user' in object) {
    const parsed = manualInvoke.safeParse(event);
    if (!parsed.success) throw new InvalidEventError(`manual invoke: ${issues(parsed.error)}`);
    const { user, cluster, force } = parsed.data;
    return {
      kind: 'manual',
      user,
      ...(cluster ? { cluster } : {}),
      force: force ?? false,
      why: `manual ${user}`,
    };
  }
  if (scheduledEvent.safeParse(event).success) return { kind: 'schedule', why: 'schedule' };
  throw new InvalidEventError(
    'not an event rotateTokens handles: a schedule, a Secrets Manager rotation step ({"Step", "SecretId", "ClientRequestToken"}) or {"user": "…", "cluster"?: "…", "force"?: true}',
  );
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
}
