import { defaultBootstrap } from '../../domain/bootstrap/cluster-bootstrap';
import { matchCluster } from '../../domain/bootstrap/cluster-selector';
import { ownsSecret, secretTag } from '../../domain/rotation/rotation-ownership';
import type { BootstrapDeps, BootstrapResult, ClusterRef } from './bootstrap-ports';

/**
 * After DeleteCluster: what the tool stored for the cluster (its users' kubeconfig secrets) is
 * scheduled for deletion with a recovery window. Only secrets tagged as the tool's, for this
 * cluster; those already scheduled are not listed again, so a repeated event changes nothing more.
 */
export async function cleanupCluster(deps: BootstrapDeps, cluster: ClusterRef): Promise<BootstrapResult> {
  const result: BootstrapResult = {
    cluster: cluster.name,
    region: cluster.region,
    status: 'unchanged',
    warnings: [],
  };
  // A deleted cluster's tags cannot be read any more: name, region and account decide.
  const match = matchCluster(deps.config, cluster, { ignoreTags: true });
  if (!match.managed) return { ...result, status: 'ignored', reason: match.reason };
  result.managedBy = match.by;
  const recoveryWindowDays = (deps.config.bootstrap ?? defaultBootstrap).secretRecoveryDays;
  try {
    const secrets = (await deps.secrets.listManaged()).filter(
      (s) => ownsSecret(s.tags) && s.tags[secretTag.cluster] === cluster.name && !s.deleted,
    );
    for (const secret of secrets)
      await deps.secrets.scheduleDeletion(secret.arn || secret.name, recoveryWindowDays);
    result.secrets = { scheduledForDeletion: secrets.map((s) => s.name).sort(), recoveryWindowDays };
    if (match.listed)
      result.warnings.push(`cluster ${cluster.name} is still listed in the config; remove it there`);
    return { ...result, status: secrets.length > 0 ? 'cleaned' : 'unchanged' };
  } catch (error) {
    return {
      ...result,
      status: 'failed',
      reason: `cleaning up after cluster ${cluster.name}: ${(error as Error).message}`,
    };
  }
}
