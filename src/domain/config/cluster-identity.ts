import { parsePrincipalArn } from '../arn';

/**
 * Who a cluster is: EKS names are unique only within an account and region, so `team-a` in
 * eu-west-1 and `team-a` in us-east-1 (or in another account) are two clusters. The account is
 * unknown for a listed cluster reached with the function's own credentials and no `accountId`.
 */
export interface ClusterIdentity {
  name: string;
  region: string;
  accountId?: string;
}

/** The identity of a configured cluster: its account from `accountId`, else from the role assumed to reach it. */
export function identityOf(cluster: {
  name: string;
  region: string;
  accountId?: string | undefined;
  roleArn?: string | undefined;
}): ClusterIdentity {
  const accountId = cluster.accountId ?? (cluster.roleArn ? accountOf(cluster.roleArn) : undefined);
  return { name: cluster.name, region: cluster.region, ...(accountId ? { accountId } : {}) };
}

/** Same name and region, and the same account when both are known. */
export function sameCluster(a: ClusterIdentity, b: ClusterIdentity): boolean {
  return (
    a.name === b.name &&
    a.region === b.region &&
    (a.accountId === undefined || b.accountId === undefined || a.accountId === b.accountId)
  );
}

/** `team-a (eu-west-1, account 111122223333)`, for messages a person reads. */
export function showCluster(cluster: ClusterIdentity): string {
  return `${cluster.name} (${cluster.region}${cluster.accountId ? `, account ${cluster.accountId}` : ''})`;
}

function accountOf(roleArn: string): string | undefined {
  try {
    // `{account}` in a selector's role is replaced before a cluster config is made from it.
    return parsePrincipalArn(roleArn, 'role').accountId;
  } catch {
    return undefined;
  }
}
