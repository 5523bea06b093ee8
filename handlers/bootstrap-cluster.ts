import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { bootstrapClusterHandler } from '../src/lambda/bootstrap-handler';
import { logger } from '../src/lambda/logger';
import { metrics } from '../src/lambda/metrics';
import { cloudTrailEventId } from '../src/lambda/middleware';
import { bootstrapClusterDeps } from '../src/wiring/bootstrap-cluster-deps';

export const handler = middy(bootstrapClusterHandler(() => bootstrapClusterDeps()))
  .use(injectLambdaContext(logger))
  .use(cloudTrailEventId(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
