import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger } from '../src/lambda/logger';
import { metrics } from '../src/lambda/metrics';
import { reviewHandler } from '../src/lambda/review-handler';
import { reviewAccessDeps } from '../src/wiring/review-access-deps';

export const handler = middy(reviewHandler(() => reviewAccessDeps()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
