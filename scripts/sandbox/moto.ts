import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { isAlive, startDetached, waitFor } from './processes';
import { pythonVenv } from './venv';

const requirements = resolve(import.meta.dirname, '../../test/sandbox/moto/requirements.txt');

/** The moto server from its pinned virtualenv. */
export function motoVenv(log: (line: string) => void = console.error): string {
  return join(pythonVenv(requirements, log), 'moto_server');
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
