import type { AccessConfig } from '../../domain/config/config';
import type { ExternalUser } from '../../domain/rotation/external-users';
import type { RotationNotice } from '../../domain/rotation/rotation-notice';
import type { BoundSecretVersion, VersionStages } from '../../domain/rotation/rotation-versions';
import type { Fleet } from '../fleet/fleet-ports';
import type { Clock, ClusterAccess, ClusterEndpoint } from '../ports';

/** A ServiceAccount this tool made for an external user. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

/** Where a ServiceAccount is, when its uid does not matter. */
export type AccountName = Pick<ServiceAccountRef, 'namespace' | 'name'>;

/** A ServiceAccount found on a cluster with this tool's labels: a candidate for offboarding. */
export interface ManagedServiceAccount {
  namespace: string;
  name: string;
  uid: string;
  /** The external user it was made for. */
  user: string;
  /** The config's name of the cluster it was made on. */
  cluster: string;
}

export interface BoundSecret extends BoundSecretVersion {
  namespace: string;
  uid: string;
}

/** A TokenRequest answer. `token` is a secret: never log this object. */
export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** One cluster's side of external access: ServiceAccounts, their binding, bound Secrets, tokens. */
export interface ExternalAccess {
  /** Namespace, ServiceAccount and exactly the configured binding; removes this user's other bindings. */
  ensureAccess(user: ExternalUser): Promise<ServiceAccountRef>;
  /** Gets or creates the per-rotation Secret a version's token is bound to. */
  bindSecret(
    account: ServiceAccountRef,
    name: string,
    versionId: string,
    secretName: string,
  ): Promise<BoundSecret>;
  boundSecret(account: AccountName, name: string): Promise<BoundSecret | undefined>;
  boundSecrets(account: AccountName): Promise<BoundSecret[]>;
  /** Deleting a bound Secret revokes every token bound to it. */
  revoke(secret: BoundSecret): Promise<void>;
  requestToken(account: ServiceAccountRef, bound: BoundSecret, lifetime: number): Promise<IssuedToken>;
  /** The ServiceAccounts the tool made on this cluster, in any namespace. */
  managedServiceAccounts(): Promise<ManagedServiceAccount[]>;
  /** Deletes the ServiceAccount (every token it has dies with it), its bindings and bound Secrets. */
  offboard(account: ManagedServiceAccount): Promise<void>;
}

/** A Secrets Manager secret as DescribeSecret shows it. */
export interface StoredSecret {
  arn: string;
  name: string;
  tags: Record<string, string>;
  stages: VersionStages;
  /** Scheduled for deletion, still recoverable. */
  deleted: boolean;
}

/** The Secrets Manager side: versions, staging labels and tags. Values are secrets: never log them. */
export interface SecretsStore {
  describe(secretId: string): Promise<StoredSecret | undefined>;
  /** A new secret whose first version (AWSCURRENT) is `value`. */
  create(name: string, value: string, versionId: string, tags: Record<string, string>): Promise<StoredSecret>;
  restore(secretId: string): Promise<void>;
  /** The value of one version; undefined when that version has no value (yet). */
  value(secretId: string, versionId: string): Promise<string | undefined>;
  put(secretId: string, versionId: string, value: string, stages: string[]): Promise<void>;
  /** Moves a staging label to `versionId`, off `fromVersionId` when another version holds it. */
  moveStage(secretId: string, label: string, versionId: string, fromVersionId?: string): Promise<void>;
  removeStage(secretId: string, label: string, versionId: string): Promise<void>;
  tag(secretId: string, tags: Record<string, string>): Promise<void>;
  /** Every secret carrying this tool's managed-by tag (not those already scheduled for deletion). */
  listManaged(): Promise<StoredSecret[]>;
  scheduleDeletion(secretId: string, recoveryWindowDays: number): Promise<void>;
  /** The secret's resource policy, undefined when it has none. */
  resourcePolicy(secretId: string): Promise<string | undefined>;
  /** Validates (where the API can) and attaches the policy, refusing any that would make the secret public. */
  putResourcePolicy(secretId: string, policy: string): Promise<void>;
  deleteResourcePolicy(secretId: string): Promise<void>;
}

/** Where rotations announce themselves (EventBridge): names, versions and expiries, never a kubeconfig. */
export interface RotationNotices {
  announce(notices: RotationNotice[]): Promise<void>;
}

export interface RotateTokensDeps {
  config: AccessConfig;
  /** The managed clusters beyond `clusters:` (bootstrap selectors'); absent: the config's clusters only. */
  fleet?: Fleet;
  clusters: ClusterAccess;
  /** The external-access side of a cluster, known in the config as `cluster`, reached at `endpoint`. */
  externalAccess(cluster: string, endpoint: ClusterEndpoint): ExternalAccess;
  /** The username a kubeconfig's server accepts its token as (SelfSubjectReview), verifying TLS with its CA. */
  identify(endpoint: ClusterEndpoint): Promise<string>;
  secrets: SecretsStore;
  /** Absent: rotations are not announced (tests that do not look at notices). */
  notices?: RotationNotices;
  clock: Clock;
  newVersionId(): string;
  /** Days a deleted kubeconfig stays recoverable; Secrets Manager allows 7 to 30. */
  recoveryWindowDays?: number;
  concurrency?: number;
}
