import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per function; handlers add the CloudTrail eventID to every line. Never log a token. */
export const logger = new Logger({ serviceName: 'eks-access-sync' });
