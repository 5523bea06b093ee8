import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger } from '../src/lambda/logger';
import { metrics } from '../src/lambda/metrics';
import { cloudTrailEventId } from '../src/lambda/middleware';
import { syncAccessHandler } from '../src/lambda/sync-access-handler';
import { syncAccessDeps } from '../src/wiring/sync-access-deps';

export const handler = middy(syncAccessHandler(() => syncAccessDeps()))
  .use(injectLambdaContext(logger))
  .use(cloudTrailEventId(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
