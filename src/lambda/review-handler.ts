import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PublishedReview, PublishReviewDeps } from '../app/review/publish-review';
import { publishReview } from '../app/review/publish-review';
import { logger } from './logger';
import { metrics } from './metrics';
import { reviewRequestFrom } from './review-events';
import { InvalidEventError } from './sync-events';

/**
 * Event in, summary out: the clusters reviewed, where the JSON and page were stored, the finding
 * counts (also as metrics: an alarm on high findings reaches the alarm topic). Never a token.
 */
export function reviewHandler(deps: () => PublishReviewDeps, sink: Pick<Metrics, 'addMetric'> = metrics) {
  let built: PublishReviewDeps | undefined;
  return async function handle(event: unknown): Promise<PublishedReview | { rejected: string }> {
    let request: { cluster?: string };
    try {
      request = reviewRequestFrom(event);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      logger.error('event rejected', { reason: error.message });
      sink.addMetric('EventsRejected', MetricUnit.Count, 1);
      return { rejected: error.message };
    }
    built ??= deps();
    const published = await publishReview(built)(request);
    sink.addMetric('ReviewFindingsHigh', MetricUnit.Count, published.findings.high);
    sink.addMetric('ReviewFindingsMedium', MetricUnit.Count, published.findings.medium);
    sink.addMetric('ClustersNotReviewed', MetricUnit.Count, published.notReviewed.length);
    logger.info('access review published', { ...published });
    return published;
  };
}
