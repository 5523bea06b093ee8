import * as z from 'zod';
import { InvalidEventError } from './sync-events';

const manual = z.strictObject({ action: z.literal('review'), cluster: z.string().min(1).optional() });
const scheduled = z.looseObject({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/** `{"action":"review"[, "cluster": NAME]}` by hand, or the schedule's event: which clusters to review. */
export function reviewRequestFrom(event: unknown): { cluster?: string } {
  const byHand = manual.safeParse(event);
  if (byHand.success) return byHand.data.cluster ? { cluster: byHand.data.cluster } : {};
  if (scheduled.safeParse(event).success) return {};
  throw new InvalidEventError(
    'reviewAccess takes {"action":"review"} (optionally with "cluster") or a scheduled event; ' +
      `this one has ${describeKeys(event)}`,
  );
}

function describeKeys(event: unknown): string {
  if (event === null || typeof event !== 'object')
    return `no fields (${event === null ? 'null' : typeof event})`;
  const keys = Object.keys(event).sort();
  return keys.length > 0 ? `fields ${keys.join(', ')}` : 'no fields';
}
