import {
  type PromiseHttpLibrary,
  type RequestContext,
  ResponseContext,
  SelfDecodingBody,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { explainClusterError } from '../../../src/adapters/explain-error';
import { awsAuthStore } from '../../../src/adapters/kubernetes/aws-auth-store';
import { type KubeApiOptions, kubeApis, requestCounter } from '../../../src/adapters/kubernetes/kube-api';
import { kubeCall } from '../../../src/adapters/kubernetes/kube-call';
import {
  KubeAnswerError,
  KubeApiError,
  KubeConflictError,
  KubeInvalidError,
  KubeUnauthorizedError,
  KubeUnreachableError,
} from '../../../src/adapters/kubernetes/kube-errors';
import { retryDelay } from '../../../src/adapters/kubernetes/kube-http';
import { WriteConflictError } from '../../../src/app/ports';

const token = 'k8s-aws-v1.c2VjcmV0LXRva2Vu';
const endpoint = {
  server: 'https://kube.example:6443',
  caData: Buffer.from('not a CA').toString('base64'),
  token,
};
const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'aws-auth', resourceVersion: '7' },
};

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});
const status = (code: number, reason: string, message: string) =>
  json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });

/** A wire that answers from a script and remembers what was asked (method, path, headers). */
function wire(...answers: (Answer | ((request: RequestContext) => Promise<never>))[]) {
  const sent: {
    method: string;
    path: string;
    headers: Record<string, string>;
    dispatcher: unknown;
    body: string;
  }[] = [];
  const transport: PromiseHttpLibrary = {
    async send(request) {
      sent.push({
        method: request.getHttpMethod(),
        path: new URL(request.getUrl()).pathname,
        headers: { ...request.getHeaders() },
        dispatcher: request.getDispatcher(),
        body: String(request.getBody() ?? ''),
      });
      const next = answers.length > 1 ? answers.shift() : answers[0];
      if (typeof next === 'function') return next(request);
      const answer = next as Answer;
      return new ResponseContext(
        answer.status,
        answer.headers ?? {},
        new SelfDecodingBody(Promise.resolve(Buffer.from(answer.body ?? ''))),
      );
    },
  };
  const sleeps: number[] = [];
  const options: KubeApiOptions = { transport, sleep: async (ms) => void sleeps.push(ms) };
  return { sent, sleeps, options };
}

const readAwsAuth = (options: KubeApiOptions) =>
  kubeCall('reading aws-auth', () =>
    kubeApis(endpoint, options).core.readNamespacedConfigMap({ name: 'aws-auth', namespace: 'kube-system' }),
  );

describe('the Kubernetes API through client-node', () => {
  it('sends the bearer token on every request and reuses one connection pool per cluster', async () => {
    // Prepare
    const w = wire(json(200, configMap));
    let renewed = 0;
    const renewing = { ...endpoint, renewToken: async () => `${token}-${++renewed}` };

    // Act
    await readAwsAuth(w.options);
    await readAwsAuth(w.options);
    await kubeCall('read', () =>
      kubeApis(renewing, w.options).core.readNamespacedConfigMap({
        name: 'aws-auth',
        namespace: 'kube-system',
      }),
    );

    // Assess
    expect(w.sent.map((s) => s.headers.Authorization)).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
      `Bearer ${token}-1`,
    ]);
    expect(w.sent[0]?.path).toBe('/api/v1/namespaces/kube-system/configmaps/aws-auth');
    expect(w.sent[0]?.dispatcher).toBeDefined();
    expect(new Set(w.sent.map((s) => s.dispatcher)).size).toBe(1);
  });

  it('answers a 429 or 503 again after the Retry-After it names', async () => {
    // Prepare
    const answers = [
      {
        ...status(429, 'TooManyRequests', 'too many requests'),
        headers: { 'content-type': 'application/json', 'retry-after': '2' },
      },
      json(503, {}, { 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' }),
      json(200, configMap),
    ];
    const scripted = wire(...answers);

    // Act
    const cm = await readAwsAuth(scripted.options);

    // Assess
    expect(cm.metadata?.resourceVersion).toBe('7');
    expect(scripted.sent).toHaveLength(3);
    expect(scripted.sleeps).toEqual([2000, 0]);
  });

  it('gives up after a bounded number of retries and says so with the status', async () => {
    // Prepare
    const w = wire(
      json(
        503,
        { kind: 'Status', reason: 'ServiceUnavailable', message: 'apiserver is shutting down' },
        { 'retry-after': '600' },
      ),
    );

    // Act
    const error = await readAwsAuth({ ...w.options, retries: 2, maxRetryDelayMs: 5_000 }).catch((e) => e);

    // Assess
    expect(w.sent).toHaveLength(3);
    expect(w.sleeps).toEqual([5_000, 5_000]);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.status).toBe(503);
    expect(error.message).toBe('reading aws-auth: 503 ServiceUnavailable: apiserver is shutting down');
  });

  it('maps 401 to the explained error, without the token', async () => {
    const w = wire({
      status: 401,
      body: '{"kind":"Status","code":401}',
      headers: { 'content-type': 'application/json' },
    });

    const error = await readAwsAuth(w.options).catch((e) => e);

    expect(error).toBeInstanceOf(KubeUnauthorizedError);
    const explained = explainClusterError('prod', error);
    expect(explained).toMatch(/cluster prod does not accept this function's identity \(401 Unauthorized\)/);
    expect(explained).not.toContain(token);
    expect(error.message).not.toContain(token);
  });

  it('maps 422 to KubeInvalidError with the server message', async () => {
    const w = wire(status(422, 'Invalid', 'metadata.annotations: Too long: must have at most 262144 bytes'));

    const error = await readAwsAuth(w.options).catch((e) => e);

    expect(error).toBeInstanceOf(KubeInvalidError);
    expect(error.message).toContain('must have at most 262144 bytes');
  });

  it('turns a 409 on the aws-auth write into WriteConflictError', async () => {
    // Prepare
    const w = wire(
      json(200, { ...configMap, data: { mapRoles: '' } }),
      status(409, 'Conflict', 'the object has been modified'),
    );
    const counted = requestCounter();
    const store = awsAuthStore(kubeApis(endpoint, { ...w.options, middleware: [counted.middleware] }));
    const read = await store.read();

    // Act
    const error = await store.write(read, { mapRoles: '' }, {}).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(WriteConflictError);
    expect(error.cause).toBeInstanceOf(KubeConflictError);
    expect(w.sent.map((s) => s.method)).toEqual(['GET', 'PUT']);
    expect(counted.requests).toBe(2);
  });

  it('writes over the snapshot it is given, keeping what that read found, whichever read or store it was', async () => {
    // Prepare: aws-auth with labels, an owner and binaryData, then relabelled (version 8) between two reads.
    const owned = {
      ...configMap,
      metadata: {
        ...configMap.metadata,
        labels: { team: 'platform' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system', uid: 'u-1' }],
      },
      binaryData: { logo: 'AAEC' },
      data: { mapRoles: '' },
    };
    const relabelled = {
      ...owned,
      metadata: { ...owned.metadata, labels: { team: 'other' }, resourceVersion: '8' },
    };
    const w = wire(json(200, owned), json(200, relabelled), json(200, owned), json(200, owned));
    const reader = awsAuthStore(kubeApis(endpoint, w.options));
    const writer = awsAuthStore(kubeApis(endpoint, w.options));
    const base = await reader.read();
    await reader.read();

    // Act: the same store writes over the first read; a store that never read writes over it too.
    await reader.write(base, { mapRoles: '- a' }, { note: 'x' });
    await writer.write(base, { mapRoles: '- b' }, { note: 'y' });

    // Assess
    const puts = w.sent.filter((s) => s.method === 'PUT').map((s) => JSON.parse(s.body));
    expect(puts).toHaveLength(2);
    for (const [put, mapRoles, note] of [
      [puts[0], '- a', 'x'],
      [puts[1], '- b', 'y'],
    ]) {
      expect(put).toMatchObject({
        metadata: {
          resourceVersion: '7',
          labels: { team: 'platform' },
          ownerReferences: owned.metadata.ownerReferences,
          annotations: { note },
        },
        binaryData: { logo: 'AAEC' },
        data: { mapRoles },
      });
    }
  });

  it('reads a missing aws-auth as absent', async () => {
    const w = wire(status(404, 'NotFound', 'configmaps "aws-auth" not found'));
    const store = awsAuthStore(kubeApis(endpoint, w.options));

    expect(await store.read()).toEqual({ exists: false, data: {}, annotations: {} });
  });

  it('surfaces a success that is not JSON as KubeAnswerError', async () => {
    const invalid = wire({
      status: 200,
      body: '{"kind": "ConfigMap", ',
      headers: { 'content-type': 'application/json' },
    });
    const html = wire({
      status: 200,
      body: '<html>proxy login</html>',
      headers: { 'content-type': 'text/html' },
    });

    const errors = [
      await readAwsAuth(invalid.options).catch((e) => e),
      await readAwsAuth(html.options).catch((e) => e),
    ];

    expect(errors[0]).toBeInstanceOf(KubeAnswerError);
    expect(errors[0].message).toBe(
      'GET /api/v1/namespaces/kube-system/configmaps/aws-auth: answered 200 with invalid JSON',
    );
    expect(errors[1]).toBeInstanceOf(KubeAnswerError);
    expect(errors[1].message).toMatch(/answered 200 without JSON/);
  });

  it('says which request could not reach the server, and why', async () => {
    const refused = wire(async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });
    });
    const hung = wire(
      (request) =>
        new Promise<never>((_, reject) =>
          request.getSignal()?.addEventListener('abort', () => reject(request.getSignal()?.reason)),
        ),
    );

    const errors = [
      await readAwsAuth(refused.options).catch((e) => e),
      await readAwsAuth({ ...hung.options, timeoutMs: 30 }).catch((e) => e),
    ];

    expect(errors[0]).toBeInstanceOf(KubeUnreachableError);
    expect(errors[0].message).toBe('GET /api/v1/namespaces/kube-system/configmaps/aws-auth: ECONNREFUSED');
    expect(errors[1]).toBeInstanceOf(KubeUnreachableError);
    expect(errors[1].message).toMatch(/configmaps\/aws-auth: no answer in 30 ms$/);
  });

  it('refuses an endpoint that is not https', () => {
    expect(() => kubeApis({ ...endpoint, server: 'http://kube.example:8080' })).toThrow(KubeUnreachableError);
  });
});

describe('retryDelay', () => {
  it('takes seconds or an HTTP date, bounded, and backs off without one', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryDelay('1', 0, 5_000, now)).toBe(1_000);
    expect(retryDelay('3600', 0, 5_000, now)).toBe(5_000);
    expect(retryDelay('Thu, 01 Jan 2026 00:00:02 GMT', 0, 5_000, now)).toBe(2_000);
    expect(retryDelay(undefined, 0, 5_000, now)).toBe(500);
    expect(retryDelay(undefined, 2, 5_000, now)).toBe(2_000);
    expect(retryDelay('soon', 5, 5_000, now)).toBe(5_000);
  });
});
