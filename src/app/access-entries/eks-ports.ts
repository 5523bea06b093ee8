import type { AccessEntry, AssociatedPolicy } from '../../domain/access-entries/access-entries';
import type { AuthenticationMode } from '../../domain/access-entries/authentication-mode';
import type { ClusterConfig } from '../../domain/config/config';

/** What DescribeCluster says about a cluster, as far as access goes. */
export interface ClusterDescription {
  name: string;
  region: string;
  /** CREATING, ACTIVE, UPDATING, DELETING, FAILED, PENDING. */
  status: string;
  authenticationMode: AuthenticationMode;
  tags: Record<string, string>;
  accountId?: string;
  /** `aws`, `aws-cn`, …: access policy ARNs live in the cluster's partition. */
  partition: string;
}

/** A cluster's EKS access entries. Every method that writes is idempotent where EKS lets it be. */
export interface AccessEntryStore {
  /** Every access entry (all pages), described. */
  list(): Promise<AccessEntry[]>;
  /** One entry, or undefined when the principal has none. */
  get(principalArn: string): Promise<AccessEntry | undefined>;
  policies(principalArn: string): Promise<AssociatedPolicy[]>;
  /** `exists` when the principal has an entry already (ResourceInUseException): nothing was changed. */
  create(
    principalArn: string,
    grant: { username?: string; groups: string[] },
    tags: Record<string, string>,
  ): Promise<'created' | 'exists'>;
  update(principalArn: string, grant: { username: string; groups: string[] }): Promise<void>;
  tag(principalArn: string, tags: Record<string, string>): Promise<void>;
  /** Associating a policy again replaces its scope. */
  associate(principalArn: string, policy: AssociatedPolicy): Promise<void>;
  disassociate(principalArn: string, policy: string): Promise<void>;
  /** False when there was nothing to delete. */
  delete(principalArn: string): Promise<boolean>;
}

/** Reading one cluster's access entries, and nothing else (the access review's share of the store). */
export type AccessEntryReads = Pick<AccessEntryStore, 'get' | 'list' | 'policies'>;

/** The EKS side of the clusters: their description and access entries, across accounts. */
export interface EksClusters {
  /** Undefined when EKS has no such cluster. */
  describe(cluster: ClusterConfig): Promise<ClusterDescription | undefined>;
  accessEntries(cluster: ClusterConfig): Promise<AccessEntryStore>;
}
