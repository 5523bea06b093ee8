import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

/** Built artefacts live outside git, keyed by the files that determine them. */
export function cacheDir(): string {
  return (
    process.env.EKS_ACCESS_SYNC_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'eks-access-sync')
  );
}

export function contentKey(files: string[]): string {
  const hash = createHash('sha256');
  // Names, not paths: the key must not change with where the checkout lives.
  for (const file of files) hash.update(basename(file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}
