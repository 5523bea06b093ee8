import type { AccessEntry } from '../access-entries/access-entries';
import type { DesiredEntry } from '../aws-auth/desired-state';

/** An external user as the config names it and the cluster shows it. */
export interface ExternalUserFacts {
  name: string;
  namespace: string;
  /** Its ServiceAccount exists on the cluster. */
  serviceAccountFound: boolean;
  /** The current token's expiry, as the rotation recorded it; absent when unknown. */
  tokenExpiresAt?: Date;
  /** Seconds before expiry the rotation should have replaced it. */
  rotateBefore: number;
}

/** Everything the review knows about one cluster before the cluster is asked about rights. */
export interface ReviewFacts {
  cluster: string;
  now: Date;
  /** kube-system/aws-auth as read; absent where the cluster has none. */
  awsAuth?: { data: Record<string, string>; annotations: Record<string, string> };
  /** The cluster's access entries with their policies; absent where its mode has none. */
  accessEntries?: AccessEntry[];
  /** What the config and IAM want on this cluster (desiredEntries). */
  desired: DesiredEntry[];
  externalUsers: ExternalUserFacts[];
  /** arnKey of a user ARN, or of a role ARN without path → whether IAM still has it; absent: unknown. */
  principalExists: ReadonlyMap<string, boolean>;
  /** The same keys → IAM's unique id of the principal today (UserId / RoleId); absent: gone or unknown. */
  principalIds: ReadonlyMap<string, string>;
  /**
   * Whether the config may map system:masters (as sync judges ownership claims): without it, a claim
   * on a system:masters entry is one the tool could never have written, so the entry is not ours.
   */
  allowSystemMasters: boolean;
  /** The IAM principal that created the cluster, when known: admin without appearing anywhere. */
  creatorArn?: string;
}
