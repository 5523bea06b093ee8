import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { type BootstrapCommand, bootstrapCluster } from '../app/bootstrap/bootstrap-cluster';
import type { BootstrapDeps, BootstrapResult } from '../app/bootstrap/bootstrap-ports';
import { bootstrapCommandFrom, recheckCommandFrom } from './bootstrap-events';
import { recordBootstrapMetrics } from './bootstrap-metrics';
import { logger } from './logger';
import { metrics, recordRejectedEvents } from './metrics';
import { isSqsBatch } from './sync-batch';
import { InvalidEventError } from './sync-events';

export type BootstrapInvokeResult =
  | BootstrapResult
  | { ignored: string }
  | { rejected: string }
  | {
      results: BootstrapResult[];
      rejected: { messageId: string; reason: string }[];
      /** SQS retries only these (ReportBatchItemFailures); the others are done. */
      batchItemFailures: { itemIdentifier: string }[];
    };

/**
 * Event in, JSON summary out. Re-checks come from the function's own queue in batches; a record
 * whose look could not even be scheduled again is reported as a batch item failure, so SQS retries
 * it (and dead-letters it after maxReceiveCount).
 */
export function bootstrapClusterHandler(
  deps: () => BootstrapDeps,
  sink: Pick<Metrics, 'addMetric'> = metrics,
) {
  let built: BootstrapDeps | undefined;
  const run = (command: BootstrapCommand) => {
    built ??= deps();
    return bootstrapCluster(built)(command);
  };
  return async function handle(event: unknown): Promise<BootstrapInvokeResult> {
    if (isSqsBatch(event)) {
      const results: BootstrapResult[] = [];
      const rejected: { messageId: string; reason: string }[] = [];
      const recheck = async (record: SQSRecord) => {
        let command: BootstrapCommand;
        try {
          command = recheckCommandFrom(JSON.parse(String(record.body)));
        } catch (error) {
          if (!(error instanceof InvalidEventError) && !(error instanceof SyntaxError)) throw error;
          // Retrying a message that cannot be read would fail the same way until it is dead-lettered.
          logger.error('re-check rejected', { messageId: record.messageId, reason: error.message });
          rejected.push({ messageId: record.messageId, reason: error.message });
          recordRejectedEvents(1, sink);
          return;
        }
        try {
          results.push(log(await run(command)));
        } catch (error) {
          logger.error('bootstrap failed; SQS retries the re-check', {
            messageId: record.messageId,
            reason: (error as Error).message,
          });
          throw error;
        }
      };
      // Powertools' batch processor: a record whose re-check throws is a batch item failure, retried alone.
      const { batchItemFailures } = await processPartialResponse(
        event as SQSEvent,
        recheck,
        new BatchProcessor(EventType.SQS),
        { throwOnFullBatchFailure: false },
      );
      return { results, rejected, batchItemFailures };
    }
    let command: BootstrapCommand | { ignored: string };
    try {
      command = bootstrapCommandFrom(event, () => {
        built ??= deps();
        return built.clock.now();
      });
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      logger.error('event rejected', { reason: error.message });
      recordRejectedEvents(1, sink);
      return { rejected: error.message };
    }
    if ('ignored' in command) {
      logger.info('event ignored', { reason: command.ignored });
      return command;
    }
    return log(await run(command));
  };
}

function log(result: BootstrapResult): BootstrapResult {
  recordBootstrapMetrics(result);
  const bad = result.status === 'failed' || result.status === 'gave-up';
  (bad ? logger.warn : logger.info).call(logger, `bootstrap ${result.status}`, {
    cluster: result.cluster,
    region: result.region,
    ...(result.accountId ? { accountId: result.accountId } : {}),
    ...(result.clusterStatus ? { clusterStatus: result.clusterStatus } : {}),
    ...(result.selfAccess ? { selfAccess: result.selfAccess } : {}),
    ...(result.rbac
      ? { rbacCreated: result.rbac.created.length, rbacUpdated: result.rbac.updated.length }
      : {}),
    ...(result.mappings ? { mappings: result.mappings.status } : {}),
    ...(result.recheck ? { recheck: result.recheck } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
  });
  return result;
}
