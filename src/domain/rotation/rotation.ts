import type { KubeconfigRecord } from './kubeconfig';
import { formatDuration } from './rotation-duration';

/** A token granted this much shorter than asked is worth a warning (TokenRequest rounds to seconds). */
const lifetimeTolerance = 60;

/** What the secret's AWSCURRENT version holds, as far as rotation cares. */
export type CurrentKubeconfig =
  | { kind: 'none' }
  | { kind: 'unreadable' }
  | {
      kind: 'readable';
      server: string;
      caData: string;
      record: KubeconfigRecord;
      boundSecretPresent: boolean;
    };

/** Where the user's kubeconfig should point, and as whom. */
export interface WantedKubeconfig {
  server: string;
  caData: string;
  namespace: string;
  serviceAccount: string;
  serviceAccountUid: string;
}

export type RotationDecision =
  | { rotate: true; reason: string }
  | { rotate: false; expiresAt: Date; secondsLeft: number };

/**
 * Whether a user needs a new token now. Besides time, anything that makes the current kubeconfig
 * stop working (a new cluster CA, a replaced ServiceAccount, a revoked bound Secret) is a reason.
 */
export function decideRotation(input: {
  now: Date;
  current: CurrentKubeconfig;
  wanted: WantedKubeconfig;
  rotateBefore: number;
  force: boolean;
}): RotationDecision {
  const { current, wanted } = input;
  if (current.kind === 'none') return { rotate: true, reason: 'no kubeconfig yet' };
  if (input.force) return { rotate: true, reason: 'forced' };
  if (current.kind === 'unreadable') return { rotate: true, reason: 'the current kubeconfig cannot be read' };
  const { record } = current;
  if (current.server !== wanted.server || current.caData !== wanted.caData) {
    return { rotate: true, reason: "the cluster's endpoint or CA changed" };
  }
  if (record.namespace !== wanted.namespace || record.serviceAccount !== wanted.serviceAccount) {
    return { rotate: true, reason: 'the ServiceAccount moved to another namespace or name' };
  }
  if (record.serviceAccountUid !== wanted.serviceAccountUid) {
    return { rotate: true, reason: 'the ServiceAccount was deleted and created again' };
  }
  if (!current.boundSecretPresent) {
    return { rotate: true, reason: "the current token's bound Secret is gone, so the token is revoked" };
  }
  const expiresAt = new Date(record.expiresAt);
  const secondsLeft = Math.floor((expiresAt.getTime() - input.now.getTime()) / 1000);
  if (secondsLeft <= 0) return { rotate: true, reason: 'the current token has expired' };
  if (secondsLeft < input.rotateBefore) {
    return {
      rotate: true,
      reason: `${formatDuration(secondsLeft)} left, less than rotateBefore ${formatDuration(input.rotateBefore)}`,
    };
  }
  return { rotate: false, expiresAt, secondsLeft };
}

/**
 * A warning when the cluster granted a shorter token than asked (EKS caps at 24h whatever is
 * asked); the real expiry is always the one in the TokenRequest answer.
 */
export function lifetimeWarning(asked: number, issuedAt: Date, expiresAt: Date): string | undefined {
  const granted = Math.floor((expiresAt.getTime() - issuedAt.getTime()) / 1000);
  if (granted >= asked - lifetimeTolerance) return undefined;
  return `asked for a ${formatDuration(asked)} token, the cluster granted ${formatDuration(granted)}; expires ${expiresAt.toISOString()}`;
}

/** The username a ServiceAccount token authenticates as. */
export function serviceAccountUsername(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}
