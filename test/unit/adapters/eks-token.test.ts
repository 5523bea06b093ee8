import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EksTokenError,
  type EksTokenOptions,
  eksToken,
  renewingEksToken,
} from '../../../src/adapters/eks-token.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE/session+token==';
const CLOCK = new Date('2024-05-06T07:08:09.000Z');
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET };
const base: EksTokenOptions = {
  clusterName: 'prod-eu',
  region: 'eu-west-1',
  credentials: CREDENTIALS,
  now: () => CLOCK,
};

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const body = token.slice('k8s-aws-v1.'.length);
  expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(body, 'base64url').toString('utf8'));
}

async function signedUrl(options: Partial<EksTokenOptions> = {}): Promise<URL> {
  return decode((await eksToken({ ...base, ...options })).token);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe('eksToken', () => {
  it('is k8s-aws-v1. followed by unpadded base64url', async () => {
    const { token } = await eksToken(base);

    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).not.toContain('=');
    expect(token.slice('k8s-aws-v1.'.length)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('presigns GetCallerIdentity on the regional STS endpoint with the cluster id header signed', async () => {
    const url = await signedUrl();

    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20240506/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20240506T070809Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.has('X-Amz-Security-Token')).toBe(false);
  });

  it('sends only the query parameters the authenticator allows', async () => {
    const url = await signedUrl({
      credentials: { ...CREDENTIALS, sessionToken: SESSION_TOKEN },
    });

    expect([...url.searchParams.keys()].sort()).toEqual([
      'Action',
      'Version',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-Security-Token',
      'X-Amz-Signature',
      'X-Amz-SignedHeaders',
    ]);
  });

  it('carries the session token of temporary credentials, escaped', async () => {
    const { token } = await eksToken({
      ...base,
      credentials: async () => ({ ...CREDENTIALS, sessionToken: SESSION_TOKEN }),
    });
    const url = decode(token);

    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(SESSION_TOKEN);
    expect(url.search).toContain(`X-Amz-Security-Token=${rfc3986(SESSION_TOKEN)}`);
  });

  it('signs exactly what the SigV4 spec prescribes (recomputed independently)', async () => {
    const url = await signedUrl();

    const query = [...url.searchParams.entries()]
      .filter(([key]) => key !== 'X-Amz-Signature')
      .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
      .sort()
      .join('&');
    // @smithy/signature-v4 hashes the (absent) body for presigned URLs, i.e. SHA-256 of ''.
    const canonicalRequest = [
      'GET',
      '/',
      query,
      'host:sts.eu-west-1.amazonaws.com\nx-k8s-aws-id:prod-eu\n',
      'host;x-k8s-aws-id',
      sha256(''),
    ].join('\n');
    const scope = '20240506/eu-west-1/sts/aws4_request';
    const stringToSign = ['AWS4-HMAC-SHA256', '20240506T070809Z', scope, sha256(canonicalRequest)].join('\n');
    const signingKey = ['20240506', 'eu-west-1', 'sts', 'aws4_request'].reduce<Buffer | string>(
      (key, part) => hmac(key, part),
      `AWS4${SECRET}`,
    );

    expect(url.searchParams.get('X-Amz-Signature')).toBe(hmac(signingKey, stringToSign).toString('hex'));
  });

  it('is deterministic for identical inputs', async () => {
    const [a, b] = await Promise.all([eksToken(base), eksToken(base)]);

    expect(a.token).toBe(b.token);
  });

  it('changes the signature when the cluster name changes, so the header is bound to the token', async () => {
    const a = await signedUrl({ clusterName: 'prod-eu' });
    const b = await signedUrl({ clusterName: 'prod-eu2' });

    expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'));
    expect(b.searchParams.has('x-k8s-aws-id')).toBe(false);
  });

  it('expires 14 minutes after signing', async () => {
    const { expiresAt } = await eksToken(base);

    expect(expiresAt.toISOString()).toBe('2024-05-06T07:22:09.000Z');
  });

  it('expires earlier when the temporary credentials do', async () => {
    const expiration = new Date(CLOCK.getTime() + 5 * 60_000);
    const { expiresAt } = await eksToken({
      ...base,
      credentials: { ...CREDENTIALS, sessionToken: 't', expiration },
    });

    expect(expiresAt.toISOString()).toBe('2024-05-06T07:12:09.000Z');
  });

  it('uses the China partition suffix for cn- regions', async () => {
    expect((await signedUrl({ region: 'cn-north-1' })).host).toBe('sts.cn-north-1.amazonaws.com.cn');
  });

  it('signs for an overridden endpoint, port included', async () => {
    const url = await signedUrl({ endpoint: 'http://127.0.0.1:5000' });

    expect(url.origin).toBe('http://127.0.0.1:5000');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
  });

  it.each([
    ['clusterName', { clusterName: '' }],
    ['clusterName', { clusterName: '-starts-with-dash' }],
    ['clusterName', { clusterName: 'has\nnewline' }],
    ['clusterName', { clusterName: 'a'.repeat(101) }],
    ['region', { region: '' }],
    ['region', { region: 'US-EAST-1' }],
    ['region', { region: 'us-east' }],
    ['region', { region: 'sts.us-east-1.amazonaws.com' }],
    ['endpoint', { endpoint: 'not a url' }],
    ['endpoint', { endpoint: 'https://sts.example.com/path' }],
  ] as const)('rejects a bad %s (%j)', async (field, bad) => {
    const failure = eksToken({ ...base, ...bad });

    await expect(failure).rejects.toBeInstanceOf(EksTokenError);
    await expect(failure).rejects.toThrow(field);
  });

  it('wraps a credential failure without repeating any secret', async () => {
    const cause = new Error(`provider broke holding ${SECRET}`);
    const error = await eksToken({
      ...base,
      credentials: async () => {
        throw cause;
      },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EksTokenError);
    expect((error as EksTokenError).name).toBe('EksTokenError');
    expect((error as EksTokenError).cause).toBe(cause);
    expect((error as EksTokenError).message).toContain('prod-eu');
    expect((error as EksTokenError).message).not.toContain(SECRET);
  });

  it('refuses credentials that expire before the token could be used', async () => {
    const expiration = new Date(CLOCK.getTime() + 30_000);
    const failure = eksToken({
      ...base,
      credentials: { ...CREDENTIALS, sessionToken: 't', expiration },
    });

    await expect(failure).rejects.toBeInstanceOf(EksTokenError);
  });

  it('signs host and x-k8s-aws-id for any valid cluster name', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/), async (clusterName) => {
        const url = await signedUrl({ clusterName });

        expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
        expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
      }),
      { numRuns: 50 },
    );
  });
});

describe('renewingEksToken', () => {
  it('keeps one token for 14 minutes, then signs a new one before STS stops honouring it', async () => {
    // Prepare
    let now = CLOCK;
    const renew = renewingEksToken({ ...base, now: () => now });

    // Act
    const first = await renew();
    now = new Date(CLOCK.getTime() + 13 * 60_000);
    const stillFirst = await renew();
    now = new Date(CLOCK.getTime() + 14 * 60_000);
    const second = await renew();

    // Assess
    expect(stillFirst).toBe(first);
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20240506T072209Z');
  });
});
