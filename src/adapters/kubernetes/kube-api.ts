import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  createConfiguration,
  type Middleware,
  RbacAuthorizationV1Api,
  type RequestContext,
  type SecurityAuthentication,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { Agent } from 'undici';
import type { ClusterEndpoint } from '../../app/ports';
import { KubeUnreachableError } from './kube-errors';
import { type KubeHttpOptions, kubeHttp, kubeHttpDefaults } from './kube-http';

export type { ClusterEndpoint };

/** The typed Kubernetes APIs the functions use, all on one cluster. */
export interface KubeApis {
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  authentication: AuthenticationV1Api;
  authorization: AuthorizationV1Api;
}

export interface KubeApiOptions extends Partial<KubeHttpOptions> {
  /** Runs on every request, e.g. the benchmarks' request counter. */
  middleware?: Middleware[];
}

// One keep-alive connection pool per cluster (server and CA) for the life of the process, so a
// warm Lambda and a long run reuse their TLS connections instead of a handshake per request.
const agents = new Map<string, Agent>();

function agentFor(endpoint: ClusterEndpoint, timeoutMs: number): Agent {
  const key = `${endpoint.server}\n${endpoint.caData}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      connect: {
        ca: Buffer.from(endpoint.caData, 'base64').toString('utf8'),
        // Explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in an environment cannot turn it off.
        rejectUnauthorized: true,
        timeout: timeoutMs,
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * The endpoint's bearer token and its cluster's connection pool on each request. The token is
 * asked for on every request: a renewing endpoint (EKS tokens live 15 minutes) answers from its
 * cache until the token is close to expiring.
 */
function clusterAuthentication(endpoint: ClusterEndpoint, agent: Agent): SecurityAuthentication {
  return {
    getName: () => 'eks-access-sync cluster token',
    async applySecurityAuthentication(context: RequestContext) {
      const token = endpoint.renewToken ? await endpoint.renewToken() : endpoint.token;
      context.setHeaderParam('Authorization', `Bearer ${token}`);
      context.setDispatcher(agent);
    },
  };
}

/**
 * client-node's typed APIs for one cluster, configured rather than through KubeConfig:
 * KubeConfig builds a new connection pool for every request and leaves TLS verification to
 * NODE_TLS_REJECT_UNAUTHORIZED, and it loads every auth provider (exec, OIDC, cloud SDKs) that an
 * EKS token does not need.
 */
export function kubeApis(endpoint: ClusterEndpoint, options: KubeApiOptions = {}): KubeApis {
  const server = new URL(endpoint.server);
  if (server.protocol !== 'https:') {
    throw new KubeUnreachableError(`cluster endpoint ${server.origin} is not https: TLS is never skipped`);
  }
  const timeoutMs = options.timeoutMs ?? kubeHttpDefaults.timeoutMs;
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(endpoint.server.replace(/\/$/, ''), {}),
    httpApi: kubeHttp(options),
    authMethods: { default: clusterAuthentication(endpoint, agentFor(endpoint, timeoutMs)) },
    promiseMiddleware: options.middleware ?? [],
  });
  return {
    core: new CoreV1Api(configuration),
    rbac: new RbacAuthorizationV1Api(configuration),
    authentication: new AuthenticationV1Api(configuration),
    authorization: new AuthorizationV1Api(configuration),
  };
}

/** Counts the requests of the clients it is given to (benchmarks, request-count targets). */
export function requestCounter(): { middleware: Middleware; readonly requests: number } {
  let requests = 0;
  return {
    middleware: {
      pre: async (context) => {
        requests++;
        return context;
      },
      post: async (context) => context,
    },
    get requests() {
      return requests;
    },
  };
}
