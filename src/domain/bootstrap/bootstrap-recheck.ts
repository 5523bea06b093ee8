/** How long SQS can hold a message back. */
export const maxDelaySeconds = 900;

export interface RecheckState {
  /** 1 for the look the creation event itself triggers. */
  attempt: number;
  /** When the cluster was created (the event's time): the give-up clock starts there, not at the first look. */
  firstSeenAt: Date;
}

export type RecheckDecision =
  | { kind: 'recheck'; attempt: number; delaySeconds: number }
  | { kind: 'give-up'; reason: string };

/**
 * When to look at a cluster again: every `recheckEvery` seconds, with a last look at the deadline,
 * never past `giveUpAfter` since the cluster was created. Bounded, so a cluster stuck in CREATING
 * or refusing us ends in the dead-letter queue instead of being looked at forever.
 */
export function nextLook(
  state: RecheckState,
  now: Date,
  settings: { recheckEvery: number; giveUpAfter: number },
): RecheckDecision {
  const elapsed = Math.max(0, (now.getTime() - state.firstSeenAt.getTime()) / 1000);
  const remaining = Math.floor(settings.giveUpAfter - elapsed);
  if (remaining < 1) {
    return {
      kind: 'give-up',
      reason: `still not done ${formatMinutes(elapsed)} after the cluster was created (attempt ${state.attempt}; limit ${formatMinutes(settings.giveUpAfter)})`,
    };
  }
  const delaySeconds = Math.min(settings.recheckEvery, maxDelaySeconds, remaining);
  return { kind: 'recheck', attempt: state.attempt + 1, delaySeconds };
}

function formatMinutes(seconds: number): string {
  return `${Math.round(seconds / 60)} min`;
}
