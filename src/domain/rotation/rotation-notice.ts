import type { ClusterIdentity } from '../config/cluster-identity';

/** The `source` of every event the tool puts on EventBridge, for rules to match. */
export const noticeSource = 'eks-access-sync';

/** The `detail-type`s: a new kubeconfig is in AWSCURRENT, or a rotation failed (AWSCURRENT unchanged). */
export const noticeType = {
  rotated: 'Kubeconfig Rotated',
  failed: 'Kubeconfig Rotation Failed',
} as const;

/**
 * What a rotation tells a partner's pipeline or a team's automation: where to fetch the new
 * version and until when it works. Names, ids and times only: never a kubeconfig or a token, and
 * built field by field so nothing else can slip in.
 */
export interface RotationNotice {
  detailType: (typeof noticeType)[keyof typeof noticeType];
  /** The secret's ARN when it is known: EventBridge's `resources`, for rules by secret. */
  resources: string[];
  detail: {
    user: string;
    cluster: ClusterIdentity;
    secretName: string;
    secretArn?: string;
    versionId?: string;
    expiresAt?: string;
    reason?: string;
  };
}

interface Outcome {
  user: string;
  cluster: ClusterIdentity;
  secretName: string;
  secretArn?: string | undefined;
  versionId?: string | undefined;
  expiresAt?: string | undefined;
  reason?: string | undefined;
}

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The notice of a new kubeconfig in AWSCURRENT. */
export function rotatedNotice(o: Outcome & { versionId: string; expiresAt: string }): RotationNotice {
  return {
    detailType: noticeType.rotated,
    resources: o.secretArn ? [o.secretArn] : [],
    detail: defined({
      user: o.user,
      cluster: defined({ name: o.cluster.name, region: o.cluster.region, accountId: o.cluster.accountId }),
      secretName: o.secretName,
      secretArn: o.secretArn,
      versionId: o.versionId,
      expiresAt: o.expiresAt,
    }),
  };
}

/** The notice of a failed rotation: the reason, and the version it concerned when there was one. */
export function failedNotice(o: Outcome & { reason: string }): RotationNotice {
  return {
    detailType: noticeType.failed,
    resources: o.secretArn ? [o.secretArn] : [],
    detail: defined({
      user: o.user,
      cluster: defined({ name: o.cluster.name, region: o.cluster.region, accountId: o.cluster.accountId }),
      secretName: o.secretName,
      secretArn: o.secretArn,
      versionId: o.versionId,
      reason: o.reason,
    }),
  };
}
