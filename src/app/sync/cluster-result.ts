/** What one invoke did (or would do) to one cluster: the JSON summary every run returns. */
export interface ClusterResult {
  cluster: string;
  status: 'unchanged' | 'updated' | 'planned' | 'refused' | 'error' | 'skipped';
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
  /** Entries the config wants that someone else wrote: left alone. */
  conflicts: string[];
  /** Entries this tool wrote that someone changed since (`changed by someone else`), and what was done. */
  drifted: string[];
  /** Removals held back by the mass-removal guard. */
  withheld: string[];
  warnings: string[];
  /** The readable diff: `+`, `-`, `~` per entry, `!` for conflicts, `=` for withheld removals. */
  diff: string[];
  reason?: string;
  /** Writes lost to a concurrent writer before this one landed. */
  conflictRetries?: number;
}

export function emptyResult(
  cluster: string,
  status: ClusterResult['status'],
  reason?: string,
): ClusterResult {
  return {
    cluster,
    status,
    added: [],
    removed: [],
    changed: [],
    unchanged: 0,
    conflicts: [],
    drifted: [],
    withheld: [],
    warnings: [],
    diff: [],
    ...(reason ? { reason } : {}),
  };
}
