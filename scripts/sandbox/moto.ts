import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { isAlive, startDetached, waitFor } from './processes';
import { pythonVenv } from './venv';

const requirements = resolve(import.meta.dirname, '../../test/sandbox/moto/requirements.txt');
const wrapper = resolve(import.meta.dirname, '../../test/sandbox/moto/server.py');

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

/** Where the sandbox writes its apiserver's endpoint and CA for moto's EKS clusters (test/sandbox/moto/server.py). */
export function eksEndpointsFile(stateDir: string): string {
  return join(stateDir, 'eks-endpoints.json');
}

/** moto's server through our wrapper (server.py), which points EKS clusters at the sandbox's apiserver. */
export async function startMoto(server: string, stateDir: string): Promise<MotoReady> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const python = join(dirname(server), 'python');
  const pid = startDetached(
    python,
    [wrapper, '-H', '127.0.0.1', '-p', String(port)],
    join(stateDir, 'moto.log'),
    { ...process.env, SANDBOX_EKS_ENDPOINTS: resolve(eksEndpointsFile(stateDir)) },
  );
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
