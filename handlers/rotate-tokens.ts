import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger } from '../src/lambda/logger';
import { metrics } from '../src/lambda/metrics';
import { rotateTokensHandler } from '../src/lambda/rotate-tokens-handler';
import { rotateTokensDeps } from '../src/wiring/rotate-tokens-deps';

export const handler = middy(rotateTokensHandler(() => rotateTokensDeps()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
