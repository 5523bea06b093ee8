import { request } from 'node:https';
import type { ClusterEndpoint } from '../../app/ports';

export type { ClusterEndpoint };

/** A Kubernetes API answer that is not a success, with the status the server gave. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server could not be reached at all (refused, reset, timed out): retryable, nothing was written. */
export class KubeUnreachableError extends Error {
  override name = 'KubeUnreachableError';
}

export interface KubeClient {
  get<T>(path: string): Promise<T | undefined>;
  create<T>(path: string, body: unknown): Promise<T>;
  replace<T>(path: string, body: unknown): Promise<T>;
  delete(path: string, body?: unknown): Promise<boolean>;
  /** How many requests this client has made (for the benchmarks and the request-count targets). */
  readonly requests: number;
}

/**
 * A small JSON client for the Kubernetes REST API over node:https: TLS always verified against the
 * cluster CA, a timeout on every call. Kept small on purpose: the generated client pulls every model
 * into a Lambda bundle and triples its cold start.
 */
export function kubeClient(endpoint: ClusterEndpoint, options: { timeoutMs?: number } = {}): KubeClient {
  const ca = Buffer.from(endpoint.caData, 'base64').toString('utf8');
  const base = new URL(endpoint.server);
  const timeoutMs = options.timeoutMs ?? 15_000;
  let requests = 0;

  function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    requests++;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method,
          host: base.hostname,
          port: base.port || 443,
          path: `${base.pathname.replace(/\/$/, '')}${path}`,
          ca,
          rejectUnauthorized: true,
          timeout: timeoutMs,
          headers: {
            authorization: `Bearer ${endpoint.token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json: json as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new KubeUnreachableError(`${method} ${path}: no answer in ${timeoutMs} ms`)),
      );
      req.on('error', (error) =>
        reject(
          error instanceof KubeUnreachableError
            ? error
            : new KubeUnreachableError(
                `${method} ${path}: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
                {
                  cause: error,
                },
              ),
        ),
      );
      req.end(payload);
    });
  }

  function fail(method: string, path: string, status: number, json: unknown): never {
    const status_ = json as { message?: string; reason?: string } | undefined;
    const reason = status_?.reason ?? String(status);
    const detail = status_?.message ?? `HTTP ${status}`;
    throw new KubeApiError(status, reason, `${method} ${path}: ${status} ${reason}: ${detail}`);
  }

  return {
    get requests() {
      return requests;
    },
    async get<T>(path: string) {
      const { status, json } = await call<T>('GET', path);
      if (status === 404) return undefined;
      if (status >= 300) fail('GET', path, status, json);
      return json;
    },
    async create<T>(path: string, body: unknown) {
      const { status, json } = await call<T>('POST', path, body);
      if (status >= 300) fail('POST', path, status, json);
      return json;
    },
    async replace<T>(path: string, body: unknown) {
      const { status, json } = await call<T>('PUT', path, body);
      if (status >= 300) fail('PUT', path, status, json);
      return json;
    },
    async delete(path: string, body?: unknown) {
      const { status, json } = await call('DELETE', path, body);
      if (status === 404) return false;
      if (status >= 300) fail('DELETE', path, status, json);
      return true;
    },
  };
}
