import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cacheDir, contentKey } from './cache';

/**
 * A Python virtualenv with a pinned requirements file installed, created once and reused, keyed by
 * the file's content. Returns the venv's bin directory.
 */
export function pythonVenv(requirements: string, log: (line: string) => void = console.error): string {
  const name = basename(dirname(requirements));
  const venv = join(cacheDir(), `${name}-venv-${contentKey([requirements])}`);
  const complete = join(venv, '.complete');
  if (existsSync(complete)) return join(venv, 'bin');
  log(`creating the ${name} virtualenv (first time only)…`);
  // A venv's scripts carry its absolute path, so it is built in place and marked complete at the end.
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(cacheDir(), { recursive: true });
  const run = (cmd: string, args: string[]) => {
    const result = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) {
      rmSync(venv, { recursive: true, force: true });
      throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    }
  };
  run('python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(complete, '');
  return join(venv, 'bin');
}
