import type { ClusterReview } from './review-model';
import { severityCounts } from './rights-text';

/** The review for machines: the same content as the table, with finding counts per cluster. */
export function renderJson(reviews: readonly ClusterReview[]): string {
  const clusters = reviews.map((review) => ({ ...review, findingCounts: severityCounts(review.findings) }));
  return `${JSON.stringify({ clusters }, null, 2)}\n`;
}

/** One line for the alarm topic: how many findings of each severity, which clusters could not be reviewed. */
export function reviewSummary(reviews: readonly ClusterReview[]): string {
  const counts = severityCounts(reviews.flatMap((r) => r.findings));
  const failed = reviews.filter((r) => r.error).map((r) => r.cluster);
  const identities = reviews.reduce((n, r) => n + r.identities.length, 0);
  return (
    `access review: ${reviews.length} clusters, ${identities} identities, ` +
    `findings high ${counts.high} medium ${counts.medium} low ${counts.low}` +
    (failed.length > 0 ? `; not reviewed: ${failed.join(', ')}` : '')
  );
}
