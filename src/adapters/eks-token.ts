import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, QueryParameterBag } from '@smithy/types';

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
  /** Replaces `https://sts.<region>.amazonaws.com` (the local sandbox, tests). */
  endpoint?: string;
}

export interface EksToken {
  token: string;
  expiresAt: Date;
}

export class EksTokenError extends Error {
  override name = 'EksTokenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const TOKEN_PREFIX = 'k8s-aws-v1.';
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
// STS ignores X-Amz-Expires; the authenticator only wants 0..900, and 60 is what its own client sends.
const PRESIGN_EXPIRES_SECONDS = 60;
const URL_LIFETIME_MS = 15 * 60_000;
const SAFETY_MARGIN_MS = 60_000;
// EKS's own CreateCluster constraint; anything else cannot name a cluster and could not be signed as-is.
const CLUSTER_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

export async function eksToken(options: EksTokenOptions): Promise<EksToken> {
  const { clusterName, region } = options;
  if (!CLUSTER_NAME.test(clusterName ?? '')) {
    throw new EksTokenError(
      `clusterName ${JSON.stringify(clusterName)} is not an EKS cluster name (1-100 letters, digits, '-' or '_', starting with a letter or digit)`,
    );
  }
  if (!REGION.test(region ?? '')) {
    throw new EksTokenError(`region ${JSON.stringify(region)} is not an AWS region like 'us-east-1'`);
  }
  const sts = stsEndpoint(region, options.endpoint);
  const credentials = await resolveCredentials(options.credentials, clusterName);
  const signingDate = (options.now ?? (() => new Date()))();

  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: sts.protocol,
    hostname: sts.hostname,
    ...(sts.port ? { port: Number(sts.port) } : {}),
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    // The authenticator rejects tokens whose signed headers lack the cluster id; this binds the token to one cluster.
    headers: { host: sts.host, [CLUSTER_ID_HEADER]: clusterName },
  });
  let presigned: Awaited<ReturnType<SignatureV4['presign']>>;
  try {
    presigned = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate });
  } catch (cause) {
    throw new EksTokenError(`signing the EKS token for cluster '${clusterName}' failed`, { cause });
  }
  const url = `${sts.protocol}//${sts.host}/?${queryString(presigned.query ?? {})}`;

  // STS honours the URL 15 min after X-Amz-Date (less if the session ends first); 1 min spare absorbs skew.
  const urlEnd = Math.min(
    signingDate.getTime() + URL_LIFETIME_MS,
    credentials.expiration?.getTime() ?? Infinity,
  );
  const expiresAt = new Date(urlEnd - SAFETY_MARGIN_MS);
  if (expiresAt.getTime() <= signingDate.getTime()) {
    throw new EksTokenError(
      `the AWS credentials for cluster '${clusterName}' expire before a token could be used`,
    );
  }
  return { token: TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'), expiresAt };
}

function stsEndpoint(region: string, endpoint: string | undefined): URL {
  // China regions live in their own partition with their own DNS suffix.
  const fallback = `https://sts.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  let url: URL;
  try {
    url = new URL(endpoint ?? fallback);
  } catch (cause) {
    throw new EksTokenError('endpoint is not a URL', { cause });
  }
  if (!['https:', 'http:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.username) {
    // url.origin drops any user:password that was (wrongly) put into the URL.
    throw new EksTokenError(`endpoint '${url.origin}' must be a bare http(s)://host[:port] URL`);
  }
  return url;
}

async function resolveCredentials(
  source: EksTokenOptions['credentials'],
  clusterName: string,
): Promise<AwsCredentialIdentity> {
  try {
    return typeof source === 'function' ? await source() : source;
  } catch (cause) {
    // The cause stays attached for diagnosis; the message never repeats anything a provider returned.
    throw new EksTokenError(`resolving AWS credentials for the token of cluster '${clusterName}' failed`, {
      cause,
    });
  }
}

// RFC 3986 escaping, as SigV4 canonicalises it: session tokens carry '/', '+' and '='.
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function queryString(query: QueryParameterBag): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${rfc3986(key)}=${rfc3986(String(query[key]))}`)
    .join('&');
}

/**
 * An EKS token that is signed again once it is within its safety margin of the 15 minutes STS
 * honours it, so a run longer than that (a large reconcile, a rotation of many users) keeps working.
 * Concurrent callers share one signing.
 */
export function renewingEksToken(options: EksTokenOptions): () => Promise<string> {
  const now = options.now ?? (() => new Date());
  let current: Promise<EksToken> | undefined;
  return async () => {
    const held = await current?.catch(() => undefined);
    if (held && now().getTime() < held.expiresAt.getTime()) return held.token;
    const signing = eksToken(options);
    current = signing;
    return (await signing).token;
  };
}
