import { randomUUID } from 'node:crypto';
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateUserCommand,
  GetGroupCommand,
  IAMClient,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import type { CoreV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { SandboxEnv } from '../scripts/sandbox/sandbox';
import { clusterAccess } from '../src/adapters/cluster-access';
import { iamDirectory } from '../src/adapters/iam-directory';
import { kubeApis } from '../src/adapters/kubernetes/kube-api';
import { kubeFind } from '../src/adapters/kubernetes/kube-call';
import { mapLimited } from '../src/app/map-limited';
import type { IamDirectory } from '../src/app/ports';
import type { SyncAccessDeps } from '../src/app/sync/sync-access';
import { parseAwsAuth } from '../src/domain/aws-auth/aws-auth';
import type { AccessConfig } from '../src/domain/config/config';
import { parseAccessConfig } from '../src/domain/config/config-file';
import { countIamCalls } from './iam-calls';
import { countedClusters, type KubeTally } from './kube-tally';
import { pagedIamClient } from './paged-iam';

export const account = '123456789012';
export const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;

/** A node group, a Fargate profile and Windows nodes: what every real aws-auth holds and must keep. */
export const nodeRoles = `- rolearn: arn:aws:iam::${account}:role/eks-node-group-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: arn:aws:iam::${account}:role/eks-fargate-pod-execution-role
  username: system:node:{{SessionName}}
  groups:
    - system:bootstrappers
    - system:nodes
    - system:node-proxier
- rolearn: arn:aws:iam::${account}:role/eks-windows-node-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - eks:kube-proxy-windows
    - system:bootstrappers
    - system:nodes
`;
export const nodeRoleArns = [
  'eks-node-group-role',
  'eks-fargate-pod-execution-role',
  'eks-windows-node-role',
].map((r) => `arn:aws:iam::${account}:role/${r}`);
/** A person mapped by hand before the tool arrived: not the tool's, must survive. */
export const handUserArn = `arn:aws:iam::${account}:user/break-glass`;
const handUsers = `- userarn: ${handUserArn}\n  username: break-glass\n  groups:\n    - system:masters\n`;

export interface ConfigMap {
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

/** The bench's sandbox and the uncounted clients that set it up and check it. */
export class World {
  readonly kube: CoreV1Api;
  readonly iamAdmin: IAMClient;

  constructor(readonly env: SandboxEnv) {
    this.kube = kubeApis({
      server: env.kube.server,
      caData: env.kube.caData,
      token: env.kube.adminToken,
    }).core;
    this.iamAdmin = new IAMClient({
      region: env.aws.region,
      endpoint: env.aws.endpoint,
      credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
      maxAttempts: 10,
    });
  }

  /** A namespace standing in for one cluster's kube-system, with an EKS-like aws-auth in it. */
  async cluster(namespace: string, data: Record<string, string> = defaultAwsAuth()): Promise<void> {
    await this.kube.createNamespace({
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    });
    await this.kube.createNamespacedConfigMap({
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aws-auth', namespace, labels: { 'example.com/owner': 'platform' } },
        data,
      },
    });
  }

  async readAwsAuth(namespace: string): Promise<ConfigMap | undefined> {
    return (await kubeFind('reading aws-auth', () =>
      this.kube.readNamespacedConfigMap({ name: 'aws-auth', namespace }),
    )) as ConfigMap | undefined;
  }

  async createGroups(groups: string[]): Promise<void> {
    await mapLimited(groups, 8, (g) => this.iamAdmin.send(new CreateGroupCommand({ GroupName: g })));
  }

  async createUsers(users: string[], tick?: () => void): Promise<void> {
    await mapLimited(users, 8, async (u) => {
      await this.iamAdmin.send(new CreateUserCommand({ UserName: u }));
      tick?.();
    });
  }

  async addToGroup(user: string, group: string): Promise<void> {
    await this.iamAdmin.send(new AddUserToGroupCommand({ UserName: user, GroupName: group }));
  }

  async removeFromGroup(user: string, group: string): Promise<void> {
    await this.iamAdmin.send(new RemoveUserFromGroupCommand({ UserName: user, GroupName: group }));
  }

  /** IAM as it is (moto's one-page answer): the ground truth the bench compares aws-auth with. */
  async groupMembers(groups: string[]): Promise<Map<string, string[]>> {
    const members = new Map<string, string[]>();
    await mapLimited(groups, 8, async (g) => {
      const { Users } = await this.iamAdmin.send(new GetGroupCommand({ GroupName: g }));
      members.set(
        g,
        (Users ?? []).map((u) => u.UserName ?? ''),
      );
    });
    return members;
  }

  /** The production adapters (IAM paged as IAM pages, clusters counted) behind the use case. */
  deps(config: AccessConfig, namespaceOf: (cluster: string) => string, tallies: Map<string, KubeTally>) {
    const iamWire = pagedIamClient(this.env);
    const iam = timedIam(iamDirectory(iamWire.client), countIamCalls(iamWire.client));
    const deps: SyncAccessDeps = {
      config,
      iam,
      clusters: countedClusters(
        (kubeMiddleware) =>
          clusterAccess({
            staticEndpoint: {
              server: this.env.kube.server,
              caData: this.env.kube.caData,
              token: this.env.kube.adminToken,
            },
            awsAuthNamespace: (c) => namespaceOf(c.name),
            kubeMiddleware,
          }),
        tallies,
      ),
      maxAttempts: 6,
      concurrency: 4,
    };
    return { deps, iam, iamWire };
  }
}

/**
 * The IAM adapter with the time spent in it summed (overlapping calls add up: a breakdown, not wall
 * time) and the IAM calls its client made (`requests`, counted beneath the port).
 */
export function timedIam(
  inner: IamDirectory,
  counted: { readonly calls: number },
): IamDirectory & { readonly ms: number; readonly requests: number } {
  let ms = 0;
  const timed =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        ms += performance.now() - started;
      }
    };
  return {
    groupMembers: timed((group: string) => inner.groupMembers(group)),
    userGroups: timed((user: string) => inner.userGroups(user)),
    get requests() {
      return counted.calls;
    },
    get ms() {
      return ms;
    },
  };
}

export function defaultAwsAuth(): Record<string, string> {
  return { mapRoles: nodeRoles, mapUsers: handUsers, mapAccounts: `- "${account}"\n` };
}

export interface GroupPlan {
  name: string;
  kubernetesGroup: string;
  clusters?: string[];
}

export function configText(clusters: string[], groups: GroupPlan[]): string {
  return stringify({
    clusters: clusters.map((name) => ({ name, region: 'us-east-1' })),
    groups: groups.map((g) => ({
      iamGroup: g.name,
      kubernetesGroups: [g.kubernetesGroup],
      ...(g.clusters ? { clusters: g.clusters } : {}),
    })),
    roles: [
      {
        roleArn: `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123`,
        username: 'sso-dev:{{SessionName}}',
        kubernetesGroups: ['developers'],
      },
    ],
  });
}

export const configFrom = (clusters: string[], groups: GroupPlan[]) =>
  parseAccessConfig(configText(clusters, groups), 'bench access.yaml');

/** The mapUsers entries a cluster must hold: one per member of a mapped group, groups unioned. */
export function expectedUsers(
  config: AccessConfig,
  cluster: string,
  members: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  const wanted = new Map<string, Set<string>>();
  for (const g of config.groups) {
    if (g.clusters && !g.clusters.includes(cluster)) continue;
    for (const user of members.get(g.iamGroup) ?? []) {
      const set = wanted.get(user) ?? new Set<string>();
      for (const k of g.kubernetesGroups) set.add(k);
      wanted.set(user, set);
    }
  }
  return new Map([...wanted].map(([u, s]) => [userArn(u).toLowerCase(), [...s].sort()]));
}

/**
 * What is missing or wrong in a cluster's aws-auth: expected users absent or with other groups,
 * and entries that must survive (node roles, the break-glass user, hand edits) gone.
 */
export function missingEntries(
  data: Record<string, string> | undefined,
  expected: Map<string, string[]>,
  mustSurvive: string[],
): { missing: string[]; wrong: string[]; extra: string[]; entries: number } {
  const entries = parseAwsAuth(data ?? {}).entries;
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [key, groups] of expected) {
    const entry = byKey.get(key);
    if (!entry) missing.push(key);
    else if (JSON.stringify([...entry.groups].sort()) !== JSON.stringify(groups)) wrong.push(key);
  }
  for (const arn of mustSurvive) if (!byKey.has(arn.toLowerCase())) missing.push(arn.toLowerCase());
  const allowed = new Set([...expected.keys(), ...mustSurvive.map((a) => a.toLowerCase())]);
  const extra = entries.filter((e) => e.section === 'mapUsers' && !allowed.has(e.key)).map((e) => e.key);
  return { missing, wrong, extra, entries: entries.length };
}

/** An EventBridge CloudTrail event for AddUserToGroup, as IAM sends it. */
export function addUserToGroupEvent(userName: string, groupName: string) {
  const now = new Date().toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account,
    time: now,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      eventTime: now,
      eventSource: 'iam.amazonaws.com',
      eventName: 'AddUserToGroup',
      awsRegion: 'us-east-1',
      requestParameters: { groupName, userName },
      responseElements: null,
      eventID: randomUUID(),
      eventType: 'AwsApiCall',
    },
  };
}

/** The SQS record EventBridge → SQS → Lambda delivers for one event. */
export function sqsRecord(body: unknown) {
  const text = JSON.stringify(body);
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: text,
    attributes: {},
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${account}:eks-access-sync-iam-events`,
    awsRegion: 'us-east-1',
  };
}

/**
 * Corporate-style IAM user names (first.last, unique): the ARN length matters, because every
 * owned entry's ARN is listed in an annotation whose size Kubernetes limits.
 */
export function personNames(count: number, offset = 0): string[] {
  const first = [
    'olivia',
    'liam',
    'emma',
    'noah',
    'amelia',
    'oliver',
    'sophia',
    'elijah',
    'charlotte',
    'james',
    'mia',
    'lucas',
    'harper',
    'mateo',
    'evelyn',
    'levi',
    'luna',
    'ethan',
    'ava',
    'kai',
    'priya',
    'arjun',
    'mei',
    'wei',
    'yuki',
    'hiro',
    'fatima',
    'omar',
    'lena',
    'jonas',
    'ines',
    'diego',
    'sofia',
    'pablo',
    'chloe',
    'hugo',
    'anna',
    'max',
    'zoe',
    'leo',
    'nadia',
    'ivan',
    'aisha',
    'kofi',
    'sara',
    'tomas',
    'elif',
    'emre',
    'nora',
    'felix',
  ];
  const last = [
    'smith',
    'johnson',
    'williams',
    'brown',
    'jones',
    'garcia',
    'miller',
    'davis',
    'rodriguez',
    'martinez',
    'hernandez',
    'lopez',
    'gonzalez',
    'wilson',
    'anderson',
    'thomas',
    'taylor',
    'moore',
    'jackson',
    'martin',
    'lee',
    'perez',
    'thompson',
    'white',
    'harris',
    'sanchez',
    'clark',
    'ramirez',
    'lewis',
    'robinson',
    'walker',
    'young',
    'allen',
    'king',
    'wright',
    'scott',
    'torres',
    'nguyen',
    'hill',
    'flores',
    'green',
    'adams',
    'nelson',
    'baker',
    'hall',
    'rivera',
    'campbell',
    'mitchell',
    'carter',
    'roberts',
  ];
  return Array.from({ length: count }, (_, n) => {
    const i = n + offset;
    const f = first[i % first.length] as string;
    const l = last[Math.floor(i / first.length) % last.length] as string;
    const round = Math.floor(i / (first.length * last.length));
    return `${f}.${l}${round === 0 ? '' : round + 1}`;
  });
}
