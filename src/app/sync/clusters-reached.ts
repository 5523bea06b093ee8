import { type AccessConfig, appliesTo } from '../../domain/config/config';
import type { SyncCommand } from './sync-command';

/**
 * The clusters a command can change: a membership change only those whose mappings name one of its
 * groups (as the fast path syncs), anything else every cluster it names, or all of them.
 */
export function clustersReached(config: AccessConfig, command: SyncCommand): string[] {
  if (command.kind === 'membership') {
    const groups = new Set(command.changes.map((c) => c.group));
    const mapped = config.groups.filter((g) => groups.has(g.iamGroup));
    return config.clusters.filter((c) => mapped.some((g) => appliesTo(g, c.name))).map((c) => c.name);
  }
  return command.clusters ?? config.clusters.map((c) => c.name);
}
