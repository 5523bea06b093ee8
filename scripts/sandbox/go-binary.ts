import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, contentKey } from './cache';

export interface GoProgram {
  /** The Go module's folder. */
  moduleDir: string;
  /** The binary's name, also the cache folder's prefix. */
  name: string;
  /** Said once while it builds: `building <what> (first time only, …)`. */
  what: string;
  ldflags?: string;
}

/** Path of the cached binary of a Go program of ours, built first when go.mod, go.sum or a .go file changed. */
export function goBinary(program: GoProgram, log: (line: string) => void = console.error): string {
  const sources = readdirSync(program.moduleDir)
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .sort()
    .map((f) => join(program.moduleDir, f));
  const dir = join(cacheDir(), `${program.name}-${contentKey(sources)}`);
  const binary = join(dir, program.name);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(`building ${program.what} (first time only, several minutes)…`);
  const started = Date.now();
  const tmp = `${binary}.tmp-${process.pid}`;
  const build = spawnSync(
    'go',
    ['build', '-trimpath', '-buildvcs=false', '-ldflags', program.ldflags ?? '-s -w', '-o', tmp, '.'],
    {
      cwd: program.moduleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
    },
  );
  if (build.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(
      `building ${program.name} failed (go build ${build.error ? build.error.message : `exit ${build.status ?? build.signal}`})`,
    );
  }
  renameSync(tmp, binary);
  log(`built in ${Math.round((Date.now() - started) / 1000)}s: ${binary}`);
  return binary;
}
