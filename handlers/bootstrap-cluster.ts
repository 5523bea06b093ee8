import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { bootstrapClusterDeps } from '../src/lambda/bootstrap-cluster-deps';
import { bootstrapClusterHandler } from '../src/lambda/bootstrap-handler';
import { logger } from '../src/lambda/logger';
import { cloudTrailEventId } from '../src/lambda/middleware';

export const handler = middy(bootstrapClusterHandler(() => bootstrapClusterDeps()))
  .use(injectLambdaContext(logger))
  .use(cloudTrailEventId(logger));
