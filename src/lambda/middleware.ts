import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';

/** Puts the CloudTrail eventID (when the event has one) on every log line of the invocation. */
export function cloudTrailEventId(logger: Logger): MiddlewareObj<unknown, unknown> {
  return {
    before: (request) => {
      const detail = (request.event as { detail?: { eventID?: unknown; eventName?: unknown } } | null)
        ?.detail;
      const keys: Record<string, string> = {};
      if (typeof detail?.eventID === 'string') keys.eventID = detail.eventID;
      if (typeof detail?.eventName === 'string') keys.eventName = detail.eventName;
      logger.appendKeys(keys);
    },
    after: () => logger.removeKeys(['eventID', 'eventName']),
    onError: () => logger.removeKeys(['eventID', 'eventName']),
  };
}
