import type { IamUser } from '../domain/aws-auth/desired-state';
import type { ClusterConfig } from '../domain/config/config';

/** aws-auth as read: the data, the annotations and the version any write must carry. */
export interface AwsAuthSnapshot {
  exists: boolean;
  data: Record<string, string>;
  annotations: Record<string, string>;
  resourceVersion?: string;
  /**
   * The object as the store read it, opaque to the use cases: a write over this snapshot keeps what
   * it carries besides data and annotations (labels, owner references, binaryData).
   */
  stored?: unknown;
}

/** The write lost a race: someone changed aws-auth since it was read. Re-read and re-plan. */
export class WriteConflictError extends Error {
  override name = 'WriteConflictError';
}

export interface AwsAuthStore {
  read(): Promise<AwsAuthSnapshot>;
  /** Writes data and annotations over `base`, failing with WriteConflictError when it changed. */
  write(
    base: AwsAuthSnapshot,
    data: Record<string, string>,
    annotations: Record<string, string>,
  ): Promise<void>;
  /**
   * Keeps the record of what the coming write changes (opaque text, the domain's write record) for a
   * rollback, replacing the one kept before; saved before each write attempt.
   */
  saveBackup(record: string): Promise<void>;
  /** The record last kept; undefined when none is (or only a backup from before records existed). */
  readBackup(): Promise<string | undefined>;
}

/** Members of IAM groups, read completely or not at all. */
export interface IamDirectory {
  /** Every member of the group (all pages); `undefined` when the group does not exist. */
  groupMembers(group: string): Promise<IamUser[] | undefined>;
  /** The groups a user is in, and the user's ARN; `undefined` when the user does not exist. */
  userGroups(userName: string): Promise<{ user: IamUser; groups: string[] } | undefined>;
}

/** Where a cluster's API is and how to prove who we are. The token is a secret: never log this object. */
export interface ClusterEndpoint {
  server: string;
  /** Base64 PEM of the cluster CA, exactly as EKS DescribeCluster returns it. */
  caData: string;
  token: string;
  /** A token valid now, renewed before it expires (EKS tokens live 15 minutes); `token` when absent. */
  renewToken?: () => Promise<string>;
}

/** Opens the stores of one cluster (DescribeCluster, a token, an assumed role across accounts). */
export interface ClusterAccess {
  awsAuth(cluster: ClusterConfig): Promise<AwsAuthStore>;
  /** The cluster's API endpoint, CA and a bearer token for this function's identity. */
  endpoint(cluster: ClusterConfig): Promise<ClusterEndpoint>;
}

export interface Clock {
  now(): Date;
}
