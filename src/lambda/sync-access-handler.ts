import { type SyncAccessDeps, type SyncSummary, syncAccess } from '../app/sync-access';
import { logger } from './logger';
import { InvalidEventError, syncCommandFrom } from './sync-events';

export type SyncAccessResult = SyncSummary | { ignored: string } | { rejected: string };

/** Event in, JSON summary out; deps are built on first use so a cold start does no I/O it need not. */
export function syncAccessHandler(deps: () => SyncAccessDeps) {
  let built: SyncAccessDeps | undefined;
  return async function handle(event: unknown): Promise<SyncAccessResult> {
    let command: ReturnType<typeof syncCommandFrom>;
    try {
      command = syncCommandFrom(event);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      logger.error('event rejected', { reason: error.message });
      return { rejected: error.message };
    }
    if ('ignored' in command) {
      logger.info('event ignored', { reason: command.ignored });
      return command;
    }
    built ??= deps();
    const summary = await syncAccess(built)(command);
    for (const result of summary.clusters) {
      const log = result.status === 'error' || result.status === 'refused' ? logger.warn : logger.info;
      log.call(logger, `aws-auth ${result.status}`, {
        why: summary.why,
        cluster: result.cluster,
        added: result.added.length,
        removed: result.removed.length,
        changed: result.changed.length,
        conflicts: result.conflicts.length,
        withheld: result.withheld.length,
        ...(result.reason ? { reason: result.reason } : {}),
      });
    }
    return summary;
  };
}
