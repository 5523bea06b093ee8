import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger } from '../src/lambda/logger';
import { metrics } from '../src/lambda/metrics';
import { cloudTrailEventId } from '../src/lambda/middleware';
import { syncAccessDeps } from '../src/lambda/sync-access-deps';
import { syncAccessHandler } from '../src/lambda/sync-access-handler';

export const handler = middy(syncAccessHandler(() => syncAccessDeps()))
  .use(injectLambdaContext(logger))
  .use(cloudTrailEventId(logger))
  .use(logMetrics(metrics));
