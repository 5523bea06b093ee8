import {
  type HttpLibrary,
  IsomorphicFetchHttpLibrary,
  type PromiseHttpLibrary,
  type RequestContext,
  ResponseContext,
  SelfDecodingBody,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { KubeAnswerError, KubeUnreachableError } from './kube-errors';

export interface KubeHttpOptions {
  /** Per attempt, from sending the request to the last byte of the answer. */
  timeoutMs: number;
  /** Extra attempts after a 429 or 503 (API Priority and Fairness, an apiserver starting up). */
  retries: number;
  /** No Retry-After makes us wait longer than this. */
  maxRetryDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** The wire; client-node's fetch unless a test gives its own. */
  transport?: PromiseHttpLibrary;
}

export const kubeHttpDefaults: KubeHttpOptions = {
  timeoutMs: 15_000,
  retries: 3,
  maxRetryDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const retryable = new Set([429, 503]);

/** `GET /api/v1/…?labelSelector=…`: what a message may say about a request (never its headers). */
function describe(request: RequestContext): string {
  const url = new URL(request.getUrl());
  return `${request.getHttpMethod()} ${url.pathname}${url.search}`;
}

/** Seconds or an HTTP date, as RFC 9110 allows; bounded so one answer cannot stall a run. */
export function retryDelay(header: string | undefined, attempt: number, maxMs: number, now = Date.now()) {
  const fallback = Math.min(500 * 2 ** attempt, maxMs);
  if (!header) return fallback;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.min(Math.max(seconds, 0) * 1000, maxMs);
  const date = Date.parse(header);
  return Number.isNaN(date) ? fallback : Math.min(Math.max(date - now, 0), maxMs);
}

function unreachable(what: string, error: unknown, timeoutMs: number): KubeUnreachableError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new KubeUnreachableError(`${what}: no answer in ${timeoutMs} ms`, { cause: error });
  }
  // fetch says only "fetch failed"; the socket's code (ECONNREFUSED, a TLS verification failure) is in the causes.
  let code: string | undefined;
  for (let e: unknown = error; e instanceof Error && !code; e = e.cause) {
    code = (e as NodeJS.ErrnoException).code;
  }
  const said = code === 'UND_ERR_SOCKET' ? 'socket hang up' : (code ?? (error as Error).message);
  return new KubeUnreachableError(`${what}: ${said}`, { cause: error });
}

const isJson = (contentType: string | undefined) =>
  /^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '');

/**
 * client-node's HTTP layer with what a Lambda needs: a deadline on every attempt, a bounded retry
 * of 429/503 that honours Retry-After, failures to connect as KubeUnreachableError, and a success
 * whose body is not JSON as KubeAnswerError (client-node would hand up a bare SyntaxError).
 */
export function kubeHttp(options: Partial<KubeHttpOptions> = {}): HttpLibrary {
  const settings = { ...kubeHttpDefaults, ...options };
  const fetchLibrary = new IsomorphicFetchHttpLibrary();
  const transport = settings.transport ?? { send: (r: RequestContext) => fetchLibrary.send(r).toPromise() };

  async function attempt(
    request: RequestContext,
    what: string,
  ): Promise<{ response: ResponseContext; text: string }> {
    request.setSignal(AbortSignal.timeout(settings.timeoutMs));
    try {
      const response = await transport.send(request);
      return { response, text: await response.body.text() };
    } catch (error) {
      throw unreachable(what, error, settings.timeoutMs);
    }
  }

  return wrapHttpLibrary({
    async send(request) {
      const what = describe(request);
      for (let tries = 0; ; tries++) {
        const { response, text } = await attempt(request, what);
        const status = response.httpStatusCode;
        if (retryable.has(status) && tries < settings.retries) {
          await settings.sleep(retryDelay(response.headers['retry-after'], tries, settings.maxRetryDelayMs));
          continue;
        }
        if (status >= 200 && status < 300) {
          if (!isJson(response.headers['content-type'])) {
            throw new KubeAnswerError(`${what}: answered ${status} without JSON`);
          }
          try {
            JSON.parse(text);
          } catch (cause) {
            throw new KubeAnswerError(`${what}: answered ${status} with invalid JSON`, { cause });
          }
        }
        return new ResponseContext(
          status,
          response.headers,
          new SelfDecodingBody(Promise.resolve(Buffer.from(text))),
        );
      }
    },
  });
}
