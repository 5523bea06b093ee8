import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import type { RotationNotices } from '../app/rotation/rotation-ports';
import { noticeSource } from '../domain/rotation/rotation-notice';

/** EventBridge did not take a notice. The message names the event, never its detail's values beyond names. */
export class NoticeError extends Error {
  override name = 'NoticeError';
}

/** PutEvents takes at most 10 entries a call. */
const batchSize = 10;

/** Rotation notices on the stack's event bus (its region's default bus unless named). */
export function rotationNotices(
  client: Pick<EventBridgeClient, 'send'>,
  options: { eventBusName?: string | undefined } = {},
): RotationNotices {
  return {
    async announce(notices) {
      for (let i = 0; i < notices.length; i += batchSize) {
        const batch = notices.slice(i, i + batchSize);
        let answer: PutEventsCommandOutput;
        try {
          answer = await client.send(
            new PutEventsCommand({
              Entries: batch.map((n) => ({
                Source: noticeSource,
                DetailType: n.detailType,
                Detail: JSON.stringify(n.detail),
                Resources: n.resources,
                ...(options.eventBusName ? { EventBusName: options.eventBusName } : {}),
              })),
            }),
          );
        } catch (error) {
          throw new NoticeError(
            `putting ${batch.length} rotation notices on EventBridge: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        if ((answer.FailedEntryCount ?? 0) > 0) {
          const why = (answer.Entries ?? []).flatMap((e, j) =>
            e.ErrorCode ? [`${batch[j]?.detail.user}@${batch[j]?.detail.cluster.name}: ${e.ErrorCode}`] : [],
          );
          throw new NoticeError(
            `EventBridge refused ${answer.FailedEntryCount} rotation notices: ${why.join(', ')}`,
          );
        }
      }
    },
  };
}
