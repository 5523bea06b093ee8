import { parsePrincipalArn } from '../../domain/arn';
import { defaultBootstrap } from '../../domain/bootstrap/cluster-bootstrap';
import { matchCluster } from '../../domain/bootstrap/cluster-selector';
import { type ClusterIdentity, identityOf, showCluster } from '../../domain/config/cluster-identity';
import { hasClusterIdentity, ownsSecret, secretTag } from '../../domain/rotation/rotation-ownership';
import type { BootstrapDeps, BootstrapResult, ClusterRef } from './bootstrap-ports';

/**
 * After DeleteCluster: what the tool stored for the cluster (its users' kubeconfig secrets) is
 * scheduled for deletion with a recovery window. Only secrets tagged as the tool's for this very
 * cluster (name, region, account); those already scheduled are not listed again, so a repeated
 * event changes nothing more. A namesake elsewhere never loses a secret to this event.
 */
export async function cleanupCluster(deps: BootstrapDeps, cluster: ClusterRef): Promise<BootstrapResult> {
  const result: BootstrapResult = {
    cluster: cluster.name,
    region: cluster.region,
    ...(cluster.accountId ? { accountId: cluster.accountId } : {}),
    status: 'unchanged',
    warnings: [],
  };
  try {
    // A deleted cluster's tags cannot be read any more: name, region and account decide.
    const homeAccount = await homeAccountFor(deps, cluster);
    const match = matchCluster(deps.config, cluster, { tagsGone: true, homeAccount });
    const listedHere = match.managed && match.listed;
    const identity: ClusterIdentity = {
      ...cluster,
      accountId:
        cluster.accountId ?? (match.managed ? identityOf(match.cluster).accountId : undefined) ?? homeAccount,
    };
    const secrets = (await deps.secrets.listManaged()).filter((s) => {
      if (!ownsSecret(s.tags) || s.deleted || s.tags[secretTag.cluster] !== cluster.name) return false;
      if (hasClusterIdentity(s.tags) && s.tags[secretTag.region] !== cluster.region) return false;
      const account = s.tags[secretTag.account];
      // Made before secrets named region and account, or for a listed cluster of unknown account:
      // the name decides, and it is unique only among the listed clusters.
      if (account === undefined) return listedHere;
      return identity.accountId !== undefined && account === identity.accountId;
    });
    // Secrets stored for exactly this cluster prove it was managed (by a selector naming tags, say).
    if (!match.managed && secrets.length === 0) return { ...result, status: 'ignored', reason: match.reason };
    result.managedBy = match.managed ? match.by : `secrets stored for ${showCluster(identity)}`;
    const recoveryWindowDays = (deps.config.bootstrap ?? defaultBootstrap).secretRecoveryDays;
    for (const secret of secrets)
      await deps.secrets.scheduleDeletion(secret.arn || secret.name, recoveryWindowDays);
    result.secrets = { scheduledForDeletion: secrets.map((s) => s.name).sort(), recoveryWindowDays };
    if (match.managed && match.listed)
      result.warnings.push(`cluster ${cluster.name} is still listed in the config; remove it there`);
    return { ...result, status: secrets.length > 0 ? 'cleaned' : 'unchanged' };
  } catch (error) {
    return {
      ...result,
      status: 'failed',
      reason: `cleaning up after cluster ${showCluster(cluster)}: ${(error as Error).message}`,
    };
  }
}

/**
 * The function's own account, asked for only when it decides: a listed namesake with no account
 * of its own, and an event that names one. Then the listed cluster lives in the function's account.
 */
export async function homeAccountFor(
  deps: Pick<BootstrapDeps, 'config' | 'functionPrincipal'>,
  seen: ClusterRef,
): Promise<string | undefined> {
  const namesake = deps.config.clusters.find((c) => c.name === seen.name);
  if (!namesake || identityOf(namesake).accountId || !seen.accountId) return undefined;
  return parsePrincipalArn(await deps.functionPrincipal()).accountId;
}
