import type { ClusterEndpoint } from '../../../src/app/ports';
import type {
  BoundSecret,
  ExternalAccess,
  ManagedServiceAccount,
  RotateTokensDeps,
  SecretsStore,
  StoredSecret,
} from '../../../src/app/rotation/rotation-ports';
import { parseAccessConfig } from '../../../src/domain/config/config-file';

/** Secrets Manager's staging rules, in memory: first version is AWSCURRENT, moving AWSCURRENT leaves AWSPREVIOUS. */
export class FakeSecretsStore implements SecretsStore {
  readonly secrets = new Map<string, StoredSecret & { values: Map<string, string> }>();
  calls: string[] = [];

  private find(id: string) {
    const name = id.startsWith('arn:') ? id.replace(/^arn:.*?:secret:(.*)-\w{6}$/, '$1') : id;
    return this.secrets.get(name);
  }
  private must(id: string) {
    const secret = this.find(id);
    if (!secret) throw Object.assign(new Error(`no secret ${id}`), { name: 'ResourceNotFoundException' });
    return secret;
  }
  private label(secret: StoredSecret, label: string, to: string) {
    for (const labels of Object.values(secret.stages))
      labels.splice(0, labels.length, ...labels.filter((l) => l !== label));
    secret.stages[to] = [...(secret.stages[to] ?? []), label];
  }

  async describe(id: string) {
    const secret = this.find(id);
    return secret && structuredClone({ ...secret, values: undefined });
  }
  async create(name: string, value: string, versionId: string, tags: Record<string, string>) {
    if (this.secrets.has(name)) throw new Error(`${name} exists`);
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const secret = { arn, name, tags: { ...tags }, stages: { [versionId]: ['AWSCURRENT'] }, deleted: false };
    this.secrets.set(name, { ...secret, values: new Map([[versionId, value]]) });
    return structuredClone(secret);
  }
  async restore(id: string) {
    this.must(id).deleted = false;
  }
  async value(id: string, versionId: string) {
    return this.must(id).values.get(versionId);
  }
  async put(id: string, versionId: string, value: string, stages: string[]) {
    this.calls.push(`put ${versionId} ${stages.join(',')}`);
    const secret = this.must(id);
    const existing = secret.values.get(versionId);
    if (existing !== undefined && existing !== value)
      throw new Error('ResourceExistsException: version has another value');
    const first = secret.values.size === 0;
    secret.values.set(versionId, value);
    for (const label of first ? [...stages, 'AWSCURRENT'] : stages) this.label(secret, label, versionId);
  }
  async moveStage(id: string, label: string, versionId: string, fromVersionId?: string) {
    this.calls.push(`move ${label} ${versionId}`);
    const secret = this.must(id);
    const holder = Object.keys(secret.stages).find((v) => secret.stages[v]?.includes(label));
    if (holder && holder !== versionId && holder !== fromVersionId)
      throw new Error(`${label} is on ${holder}`);
    this.label(secret, label, versionId);
    if (label === 'AWSCURRENT' && holder && holder !== versionId) this.label(secret, 'AWSPREVIOUS', holder);
  }
  async removeStage(id: string, label: string, versionId: string) {
    const labels = this.must(id).stages[versionId] ?? [];
    labels.splice(0, labels.length, ...labels.filter((l) => l !== label));
  }
  async tag(id: string, tags: Record<string, string>) {
    Object.assign(this.must(id).tags, tags);
  }
  async listManaged() {
    return [...this.secrets.values()]
      .filter((s) => !s.deleted && s.tags['eks-access-sync:managed-by'] === 'eks-access-sync')
      .map((s) => structuredClone({ ...s, values: undefined }));
  }
  async scheduleDeletion(id: string) {
    this.must(id).deleted = true;
  }
  /** Resource policies by secret name, as Secrets Manager holds them. */
  readonly policies = new Map<string, string>();
  async resourcePolicy(id: string) {
    return this.policies.get(this.must(id).name);
  }
  async putResourcePolicy(id: string, policy: string) {
    this.calls.push('put policy');
    this.policies.set(this.must(id).name, policy);
  }
  async deleteResourcePolicy(id: string) {
    this.calls.push('delete policy');
    this.policies.delete(this.must(id).name);
  }
}

/** A cluster's ServiceAccounts, bound Secrets and tokens in memory; tokens die with their bound Secret. */
export class FakeCluster {
  accounts = new Map<string, { uid: string; user: string }>();
  bound = new Map<string, BoundSecret>();
  tokens = new Map<string, { username: string; bound: string; account: string }>();
  /** What the cluster grants at most, like EKS's 24h cap. */
  maxLifetime = 48 * 3600;
  /** Replaces the username a new token authenticates as (a TokenRequest for the wrong account). */
  tokenFor?: (username: string) => string;
  private serial = 0;

  constructor(
    readonly name: string,
    private readonly now: () => Date,
  ) {}

  access(): ExternalAccess {
    const key = (a: { namespace: string; name: string }) => `${a.namespace}/${a.name}`;
    return {
      ensureAccess: async (user) => {
        const k = key({ namespace: user.namespace, name: user.name });
        if (!this.accounts.has(k)) this.accounts.set(k, { uid: `uid-${++this.serial}`, user: user.name });
        return { namespace: user.namespace, name: user.name, uid: this.accounts.get(k)?.uid ?? '' };
      },
      bindSecret: async (account, name, versionId) => {
        const k = `${account.namespace}/${name}`;
        if (!this.bound.has(k)) {
          this.bound.set(k, { namespace: account.namespace, name, uid: `b-${++this.serial}`, versionId });
        }
        return this.bound.get(k) as BoundSecret;
      },
      boundSecret: async (account, name) => this.bound.get(`${account.namespace}/${name}`),
      boundSecrets: async (account) =>
        [...this.bound.values()].filter((b) => b.namespace === account.namespace),
      revoke: async (secret) => {
        this.bound.delete(`${secret.namespace}/${secret.name}`);
      },
      requestToken: async (account, bound, lifetime) => {
        const token = `tok-${account.name}-${++this.serial}-s3cr3t`;
        const username = `system:serviceaccount:${account.namespace}:${account.name}`;
        const k = key(account);
        this.tokens.set(token, {
          username: this.tokenFor?.(username) ?? username,
          bound: `${bound.namespace}/${bound.name}`,
          account: k,
        });
        const seconds = Math.min(lifetime, this.maxLifetime);
        return { token, expiresAt: new Date(Math.floor(this.now().getTime() / 1000 + seconds) * 1000) };
      },
      managedServiceAccounts: async (): Promise<ManagedServiceAccount[]> =>
        [...this.accounts.entries()].map(([k, a]) => {
          const [namespace = '', name = ''] = k.split('/');
          return { namespace, name, uid: a.uid, user: a.user, cluster: this.name };
        }),
      offboard: async (account) => {
        this.accounts.delete(key(account));
        for (const [k, b] of this.bound) if (b.namespace === account.namespace) this.bound.delete(k);
      },
    };
  }

  /** SelfSubjectReview: a token works while its account and bound Secret exist. */
  async identify(endpoint: ClusterEndpoint): Promise<string> {
    const token = this.tokens.get(endpoint.token);
    if (!token || !this.bound.has(token.bound) || !this.accounts.has(token.account)) {
      throw Object.assign(
        new Error('POST /apis/authentication.k8s.io/v1/selfsubjectreviews: 401 Unauthorized'),
        {
          status: 401,
        },
      );
    }
    return token.username;
  }

  /** Tokens that still authenticate. */
  async validTokens(): Promise<string[]> {
    const valid: string[] = [];
    for (const token of this.tokens.keys()) {
      if (await this.identify({ server: '', caData: '', token }).catch(() => undefined)) valid.push(token);
    }
    return valid;
  }
}

export const endpoint = { server: 'https://prod-east.example:443', caData: 'Q0EgUEVN', token: 'admin-token' };

export const configText = `
clusters:
  - name: prod-east
    region: us-east-1
externalUsers:
  - name: partner-ci
    namespace: external-access
    clusterRole: edit
    tokenLifetime: 24h
    rotateBefore: 8h
`;

/** Use-case deps over the fakes, with a clock tests move by hand. */
export function fakeDeps(text = configText) {
  const clock = { time: new Date('2026-11-22T10:00:00Z'), now: () => new Date(clock.time) };
  const cluster = new FakeCluster('prod-east', clock.now);
  const secrets = new FakeSecretsStore();
  let versions = 0;
  const deps: RotateTokensDeps = {
    config: parseAccessConfig(text),
    clusters: {
      endpoint: async () => endpoint,
      awsAuth: async () => {
        throw new Error('not used');
      },
    },
    externalAccess: () => cluster.access(),
    identify: (e) => cluster.identify(e),
    secrets,
    clock,
    newVersionId: () => `00000000-0000-4000-8000-${String(++versions).padStart(12, '0')}`,
  };
  return {
    deps,
    clock,
    cluster,
    secrets,
    advance: (hours: number) => (clock.time = new Date(clock.time.getTime() + hours * 3_600_000)),
  };
}
