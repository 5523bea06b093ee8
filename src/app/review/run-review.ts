import type { ClusterReview } from '../../domain/review/review-model';
import { type ReviewDeps, reviewCluster } from './review-cluster';

/** A cluster the config does not list was asked for. */
export class UnknownClusterError extends Error {
  override name = 'UnknownClusterError';
}

/**
 * Reviews every listed cluster (or the one named). A cluster that cannot be reviewed gets a review
 * with its `error` and no identities, so one unreachable cluster does not hide the others.
 */
export function runReview(deps: ReviewDeps) {
  const review = reviewCluster(deps);
  return async (request: { cluster?: string } = {}): Promise<ClusterReview[]> => {
    const clusters = deps.config.clusters.filter(
      (c) => request.cluster === undefined || c.name === request.cluster,
    );
    if (clusters.length === 0) {
      throw new UnknownClusterError(`no cluster named ${request.cluster} in the config`);
    }
    const reviews: ClusterReview[] = [];
    for (const cluster of clusters) {
      try {
        reviews.push(await review(cluster));
      } catch (error) {
        reviews.push({
          cluster: cluster.name,
          reviewedAt: deps.clock.now().toISOString(),
          identities: [],
          findings: [],
          accessReviews: 0,
          error: `reviewing cluster ${cluster.name}: ${(error as Error).message}`,
        });
      }
    }
    return reviews.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  };
}
