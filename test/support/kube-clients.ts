import {
  type ApiConstructor,
  ApiException,
  type ApiType,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import type { SandboxEnv } from '../../scripts/sandbox/sandbox';
import { sandbox } from './sandbox';

/** The sandbox's system:masters token. */
export function adminToken(env: SandboxEnv = sandbox()): string {
  return env.kube.adminToken;
}

/** A static-token user of the sandbox (alice: group developers, bob: group partners; no bindings). */
export function userToken(user: 'alice' | 'bob', env: SandboxEnv = sandbox()): string {
  const token = env.kube.userTokens[user];
  if (!token) throw new Error(`the sandbox has no static token for ${user}`);
  return token;
}

/** A kubeconfig for the sandbox apiserver that authenticates with `token`; TLS verified against its CA. */
export function kubeConfig(token: string, env: SandboxEnv = sandbox()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: env.kube.server, caData: env.kube.caData, skipTLSVerify: false }],
    users: [{ name: 'bearer', token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'bearer' }],
    currentContext: 'sandbox',
  });
  return kc;
}

function apiFor<T extends ApiType>(Api: ApiConstructor<T>) {
  return (token: string, env?: SandboxEnv): T => kubeConfig(token, env).makeApiClient(Api);
}

export const coreApi = apiFor(CoreV1Api);
export const rbacApi = apiFor(RbacAuthorizationV1Api);
export const authenticationApi = apiFor(AuthenticationV1Api);
export const authorizationApi = apiFor(AuthorizationV1Api);

/**
 * The HTTP status a call ends with (200 for any success). Asserting on the number keeps the
 * request's bearer token out of assertion messages.
 */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

/** Polls: the status `call` ends with once it is `wanted`, or the last one seen when `ms` have passed. */
export async function statusWithin(
  ms: number,
  wanted: number,
  call: () => Promise<unknown>,
): Promise<number> {
  const deadline = Date.now() + ms;
  let status = await statusOf(call());
  while (status !== wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await statusOf(call());
  }
  return status;
}

/** The object, or `undefined` when the API answers 404 (any other failure is thrown). */
export async function found<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}
