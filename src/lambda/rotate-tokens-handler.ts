import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type RotateTokensSummary, rotateTokens, type StepSummary } from '../app/rotation/rotate-tokens';
import type { RotationCommand } from '../app/rotation/rotation-command';
import { UnknownExternalUserError } from '../app/rotation/rotation-errors';
import type { RotateTokensDeps } from '../app/rotation/rotation-ports';
import { logger } from './logger';
import { metrics, recordRejectedEvents, recordRotationMetrics, recordUnreachablePlaces } from './metrics';
import { InvalidEventError, rotationCommandFrom } from './rotate-events';

export type RotateTokensResult = RotateTokensSummary | StepSummary | { rejected: string };

/**
 * Event in, JSON summary out. A failed Secrets Manager step throws, so that Secrets Manager marks the
 * rotation failed; schedule and manual runs report failures per user instead. Only names, versions and
 * expiries are logged or returned, never a token or a kubeconfig.
 */
export function rotateTokensHandler(
  deps: () => RotateTokensDeps,
  sink: Pick<Metrics, 'addMetric'> = metrics,
) {
  let built: RotateTokensDeps | undefined;
  return async function handle(event: unknown): Promise<RotateTokensResult> {
    let command: RotationCommand;
    try {
      command = rotationCommandFrom(event);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      logger.error('event rejected', { reason: error.message });
      recordRejectedEvents(1, sink);
      return { rejected: error.message };
    }
    built ??= deps();
    const now = built.clock.now();
    if (command.kind === 'step') return runStep(built, command, now, sink);
    let summary: RotateTokensSummary;
    try {
      summary = (await rotateTokens(built)(command)) as RotateTokensSummary;
    } catch (error) {
      if (!(error instanceof UnknownExternalUserError)) throw error;
      // A person named a user the config does not have: the answer tells them, no alarm needed.
      logger.error('invoke rejected', { reason: error.message });
      return { rejected: error.message };
    }
    logSummary(summary);
    recordRotationMetrics(summary, now, sink);
    recordUnreachablePlaces(summary.unreachablePlaces?.length ?? 0, sink);
    return summary;
  };
}

async function runStep(
  deps: RotateTokensDeps,
  command: Extract<RotationCommand, { kind: 'step' }>,
  now: Date,
  sink: Pick<Metrics, 'addMetric'>,
): Promise<StepSummary> {
  try {
    const summary = (await rotateTokens(deps)(command)) as StepSummary;
    const { step, status, secret, versionId, expiresAt, revoked, warnings } = summary;
    logger.info(`rotation step ${step} ${status}`, { secret, versionId, expiresAt, revoked });
    for (const warning of warnings) logger.warn('token shorter than asked', { secret, warning });
    recordRotationMetrics(summary, now, sink);
    return summary;
  } catch (error) {
    recordRotationMetrics({ failedStep: command.step }, now, sink);
    logger.error(`rotation step ${command.step} failed`, {
      secret: command.secretId,
      versionId: command.versionId,
      error: (error as Error).name,
      reason: (error as Error).message,
    });
    throw error;
  }
}

function logSummary(summary: RotateTokensSummary): void {
  for (const result of summary.users) {
    const { user, cluster, secret, status, reason, versionId, expiresAt, revoked } = result;
    const fields = { why: summary.why, user, cluster, secret, versionId, expiresAt, revoked, reason };
    if (status === 'error') logger.error('kubeconfig rotation failed', fields);
    else logger.info(`kubeconfig ${status}`, fields);
    for (const warning of result.warnings)
      logger.warn('token shorter than asked', { user, cluster, warning });
  }
  for (const result of summary.offboarded) {
    if (result.status === 'unchanged') continue;
    const log = result.status === 'error' ? logger.error : logger.info;
    log.call(logger, `external users ${result.status}`, { ...result });
  }
  for (const place of summary.unreachablePlaces ?? []) logger.warn('fleet place unreachable', { ...place });
}
