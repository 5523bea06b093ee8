import { parseAwsAuth } from '../../domain/aws-auth/aws-auth';
import { ownedAnnotation } from '../../domain/aws-auth/ownership';
import type { ClusterConfig } from '../../domain/config/config';
import { type ClusterResult, emptyResult } from './cluster-result';
import type { SyncDeps } from './sync-cluster';

/**
 * Restores the aws-auth kept before the last write. The version it replaces is kept in turn, so
 * a rollback can itself be rolled back.
 */
export async function rollbackCluster(deps: SyncDeps, cluster: ClusterConfig): Promise<ClusterResult> {
  try {
    const store = await deps.clusters.awsAuth(cluster);
    const previous = await store.readBackup();
    if (!previous)
      return emptyResult(cluster.name, 'refused', 'no previous aws-auth is kept for this cluster');
    if (!previous.exists) {
      // Deleting aws-auth can lock nodes out; that is a decision for a person, not a rollback.
      return emptyResult(
        cluster.name,
        'refused',
        'before the last write there was no aws-auth; delete it by hand if that is meant',
      );
    }
    parseAwsAuth(previous.data);
    const current = await store.read();
    const annotations = { ...current.annotations };
    const owned = previous.annotations[ownedAnnotation];
    if (owned === undefined) delete annotations[ownedAnnotation];
    else annotations[ownedAnnotation] = owned;
    await store.saveBackup(current);
    await store.write(current, previous.data, annotations);
    return {
      ...emptyResult(cluster.name, 'updated'),
      reason: 'restored the aws-auth kept before the last write',
    };
  } catch (error) {
    return emptyResult(cluster.name, 'error', (error as Error).message);
  }
}
