import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { cacheDir, contentKey } from './cache';
import { isAlive, startDetached, waitFor } from './processes';

const requirements = resolve(import.meta.dirname, '../../test/sandbox/moto/requirements.txt');

/** A virtualenv with the pinned moto, created once and reused, keyed by the requirements file. */
export function motoVenv(log: (line: string) => void = console.error): string {
  const venv = join(cacheDir(), `moto-venv-${contentKey([requirements])}`);
  const complete = join(venv, '.complete');
  const server = join(venv, 'bin', 'moto_server');
  if (existsSync(complete)) return server;
  log('creating the moto virtualenv (first time only)…');
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
  return server;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => done(port));
    });
  });
}

export interface MotoReady {
  endpoint: string;
  pid: number;
}

export async function startMoto(server: string, stateDir: string): Promise<MotoReady> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const pid = startDetached(server, ['-H', '127.0.0.1', '-p', String(port)], join(stateDir, 'moto.log'));
  await waitFor('moto', 30_000, async () => {
    if (!isAlive(pid)) throw new Error(`moto exited during start-up; see ${join(stateDir, 'moto.log')}`);
    const ok = await fetch(`${endpoint}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    return ok ? true : undefined;
  });
  return { endpoint, pid };
}
