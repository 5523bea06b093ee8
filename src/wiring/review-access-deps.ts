import { S3Client } from '@aws-sdk/client-s3';
import { s3ReportStore } from '../adapters/s3-report-store';
import type { PublishReviewDeps, SummaryPublisher } from '../app/review/publish-review';
import { logger } from '../lambda/logger';
import { reviewDeps } from './review-deps';
import { type Runtime, readRuntime } from './runtime';

/** REVIEW_BUCKET is not set: the scheduled review has nowhere to store its report. */
export class ReviewBucketMissingError extends Error {
  override name = 'ReviewBucketMissingError';
}

/**
 * The scheduled review's clients. The summary goes to the log (and the finding counts to metrics
 * whose alarm notifies the alarm topic); publishing the line itself on the topic needs an SNS
 * client, which the project does not depend on yet.
 */
export function reviewAccessDeps(
  runtime: Runtime = readRuntime(),
  bucket: string | undefined = process.env.REVIEW_BUCKET,
): PublishReviewDeps {
  if (!bucket)
    throw new ReviewBucketMissingError('REVIEW_BUCKET is not set: name the bucket the review is stored in');
  const s3 = new S3Client({
    region: runtime.region,
    maxAttempts: 5,
    ...runtime.aws,
    forcePathStyle: !!runtime.aws.endpoint,
  });
  const publisher: SummaryPublisher = {
    async publish(subject, message) {
      logger.info(subject, { summary: message });
    },
  };
  return { ...reviewDeps(runtime), store: s3ReportStore(s3, bucket), publisher };
}
