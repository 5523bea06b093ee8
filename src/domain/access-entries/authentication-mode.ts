import type { ClusterBackend } from '../bootstrap/cluster-bootstrap';
import { DomainError } from '../errors';

/** How a cluster authenticates IAM principals; the move is one way: CONFIG_MAP → API_AND_CONFIG_MAP → API. */
export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';

/**
 * The mode DescribeCluster reports. A cluster that reports none was created before access entries
 * existed, or through the API without `accessConfig`: EKS then uses CONFIG_MAP.
 */
export function authenticationModeOf(reported: string | undefined): AuthenticationMode {
  return reported === 'API' || reported === 'API_AND_CONFIG_MAP' ? reported : 'CONFIG_MAP';
}

export function allowsAccessEntries(mode: AuthenticationMode): boolean {
  return mode !== 'CONFIG_MAP';
}

/** The cluster cannot be worked on the way the config asks; the message says what an administrator runs. */
export class AuthenticationModeError extends DomainError {
  override name = 'AuthenticationModeError';
}

/** The one command that lets a CONFIG_MAP cluster take access entries (keeping aws-auth working). */
export function enableAccessEntriesCommand(cluster: string, region: string): string {
  return `aws eks update-cluster-config --region ${region} --name ${cluster} --access-config authenticationMode=API_AND_CONFIG_MAP`;
}

/**
 * Which backend a sync uses on a cluster. `auto` picks access entries when the mode allows them;
 * an explicit choice the mode cannot serve fails with the command that fixes it.
 */
export function effectiveBackend(
  backend: ClusterBackend,
  mode: AuthenticationMode,
  cluster: { name: string; region: string },
): 'configMap' | 'accessEntries' | 'migrate' {
  if (backend === 'auto') return allowsAccessEntries(mode) ? 'accessEntries' : 'configMap';
  if (backend === 'configMap' && mode === 'API') {
    throw new AuthenticationModeError(
      `cluster ${cluster.name} uses authenticationMode API, which ignores aws-auth; set backend: accessEntries (or auto) for it`,
    );
  }
  if (backend !== 'configMap' && !allowsAccessEntries(mode)) {
    throw new AuthenticationModeError(
      `cluster ${cluster.name} uses authenticationMode CONFIG_MAP, which has no access entries (backend: ${backend}); ` +
        `an administrator runs: ${enableAccessEntriesCommand(cluster.name, cluster.region)}`,
    );
  }
  return backend;
}

/**
 * Why the function cannot reach a cluster it was asked to bootstrap, and the one command an
 * administrator runs to fix it (or the aws-auth alternative).
 */
export function noSelfAccessMessage(
  cluster: { name: string; region: string },
  mode: AuthenticationMode,
  principalArn: string,
): string {
  return (
    `cluster ${cluster.name} (${cluster.region}) uses authenticationMode ${mode}: this function cannot grant itself ` +
    `access and the cluster does not accept ${principalArn}. An administrator runs: ` +
    `${enableAccessEntriesCommand(cluster.name, cluster.region)} — the next look then grants access with an access ` +
    `entry (aws-auth keeps working; the mode cannot go back). Or, keeping CONFIG_MAP: eksctl create iamidentitymapping ` +
    `--region ${cluster.region} --cluster ${cluster.name} --arn ${principalArn} --username eks-access-sync --group system:masters`
  );
}
