import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RecheckMessage, RecheckQueue } from '../app/bootstrap/bootstrap-ports';

/** The re-check or the dead-letter queue could not be written: the look is lost unless the invoke fails. */
export class RecheckQueueError extends Error {
  override name = 'RecheckQueueError';
}

export interface RecheckQueueNames {
  /** The function's own delay queue (its event source): a name or a URL. */
  recheck?: string | undefined;
  /** Where what could not be bootstrapped in time goes; an alarm watches it. */
  deadLetter?: string | undefined;
}

/**
 * The bootstrap's way of looking again later without waiting inside one invocation: a message on
 * its own queue, held back by SQS for DelaySeconds. The body is the same on both queues, so a
 * dead-lettered look can be redriven to the re-check queue once an administrator has fixed the cause.
 * Queues are named, not referenced, so a URL is asked of SQS once, when first needed.
 */
export function recheckQueue(sqs: Pick<SQSClient, 'send'>, names: RecheckQueueNames): RecheckQueue {
  const urls = new Map<string, Promise<string | undefined>>();
  function urlOf(queue: string): Promise<string | undefined> {
    if (/^https?:\/\//.test(queue)) return Promise.resolve(queue);
    let url = urls.get(queue);
    if (!url) {
      url = (async () => (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl)();
      url.catch(() => urls.delete(queue));
      urls.set(queue, url);
    }
    return url;
  }
  async function send(
    what: string,
    queue: string | undefined,
    message: RecheckMessage,
    delaySeconds?: number,
  ) {
    const failed = (detail: string, cause?: unknown) =>
      new RecheckQueueError(`${what} for cluster ${message.cluster.name}: ${detail}`, { cause });
    if (!queue) throw failed('no queue configured (BOOTSTRAP_RECHECK_QUEUE, BOOTSTRAP_DEAD_LETTER_QUEUE)');
    try {
      const url = await urlOf(queue);
      if (!url) throw failed(`SQS has no URL for queue ${queue}`);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: JSON.stringify(message),
          ...(delaySeconds !== undefined ? { DelaySeconds: delaySeconds } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof RecheckQueueError) throw error;
      throw failed(`${(error as Error).name}: ${(error as Error).message}`, error);
    }
  }
  return {
    later: (message, delaySeconds) => send('scheduling a re-check', names.recheck, message, delaySeconds),
    deadLetter: (message, reason) =>
      send('dead-lettering the bootstrap', names.deadLetter, { ...message, lastReason: reason }),
  };
}
