import { describe, expect, it } from 'vitest';
import { bootstrapCluster } from '../../../src/app/bootstrap/bootstrap-cluster';
import type { BootstrapDeps } from '../../../src/app/bootstrap/bootstrap-ports';
import { rotateTokens } from '../../../src/app/rotation/rotate-tokens';
import { matchCluster, withCluster } from '../../../src/domain/bootstrap/cluster-selector';
import type { ClusterConfig } from '../../../src/domain/config/config';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';
import { secretNameFor } from '../../../src/domain/rotation/external-users';
import { parseKubeconfig } from '../../../src/domain/rotation/kubeconfig';
import { secretTags } from '../../../src/domain/rotation/rotation-ownership';
import { fakeSecrets } from '../../support/bootstrap-fakes';
import { endpoint, FakeCluster, fakeDeps } from '../rotation/fakes';

const accountA = '111111111111';
const accountB = '222222222222';
const configText = `
clusters: [{name: prod-east, region: us-east-1}]
bootstrap:
  selectors: [{namePattern: team-*}]
externalUsers:
  - {name: partner-ci, namespace: external-access, clusterRole: edit}
`;
const teamA = { name: 'team-a', region: 'us-east-1', accountId: accountA };
const teamB = { name: 'team-a', region: 'eu-west-1', accountId: accountB };
const legacyName = 'eks-access-sync/team-a/partner-ci';

function found(config: ReturnType<typeof parseAccessConfig>, seen: typeof teamA): ClusterConfig {
  const match = matchCluster(config, seen);
  if (!match.managed) throw new Error(match.reason);
  return match.cluster;
}

/** Rotation over the fakes, where every cluster has its own API endpoint. */
function world() {
  const f = fakeDeps(configText);
  // Each cluster its own API server: a team-a per region has its own ServiceAccounts and tokens.
  const apiServers = new Map<string, FakeCluster>();
  const apiServer = (server: string) => {
    const known = apiServers.get(server) ?? new FakeCluster(server, f.clock.now);
    apiServers.set(server, known);
    return known;
  };
  f.deps.clusters.endpoint = async (c) => ({
    ...endpoint,
    server: `https://${c.name}.${c.region}.example:443`,
  });
  f.deps.externalAccess = (_name, e) => apiServer(e.server).access();
  f.deps.identify = async (e) => {
    for (const cluster of apiServers.values()) {
      const user = await cluster.identify(e).catch(() => undefined);
      if (user) return user;
    }
    throw Object.assign(new Error('401 Unauthorized'), { status: 401 });
  };
  const issue = (cluster: ClusterConfig) =>
    rotateTokens({ ...f.deps, config: withCluster(f.deps.config, cluster) })({
      kind: 'manual',
      user: 'partner-ci',
      cluster: cluster.name,
      force: false,
      why: 'test',
    });
  const serverIn = async (name: string) => {
    const secret = await f.secrets.describe(name);
    const current = Object.entries(secret?.stages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0] ?? '';
    return parseKubeconfig((await f.secrets.value(name, current)) ?? '').server;
  };
  return { ...f, issue, serverIn, config: f.deps.config };
}

describe('clusters found by a selector are told apart by account and region', () => {
  it('names their kubeconfig secrets by account, region and name; listed clusters keep their names', () => {
    const w = world();
    const [user] = w.config.externalUsers;
    if (!user) throw new Error('no user');

    expect(secretNameFor(user, found(w.config, teamA))).toBe(
      `eks-access-sync/${accountA}/us-east-1/team-a/partner-ci`,
    );
    expect(secretNameFor(user, found(w.config, teamB))).toBe(
      `eks-access-sync/${accountB}/eu-west-1/team-a/partner-ci`,
    );
    expect(secretNameFor(user, { name: 'prod-east', region: 'us-east-1' })).toBe(
      'eks-access-sync/prod-east/partner-ci',
    );
    const ownPattern = { ...user, secretName: 'kube/{region}/{cluster}/{name}' };
    expect(secretNameFor(ownPattern, found(w.config, teamB))).toBe('kube/eu-west-1/team-a/partner-ci');
  });

  it("a second team-a in another region and account does not re-point the first one's kubeconfig", async () => {
    const w = world();

    await w.issue(found(w.config, teamA));
    const second = await w.issue(found(w.config, teamB));

    expect(second).toMatchObject({ users: [{ status: 'issued' }] });
    expect([...w.secrets.secrets.keys()].sort()).toEqual([
      `eks-access-sync/${accountA}/us-east-1/team-a/partner-ci`,
      `eks-access-sync/${accountB}/eu-west-1/team-a/partner-ci`,
    ]);
    expect(await w.serverIn(`eks-access-sync/${accountA}/us-east-1/team-a/partner-ci`)).toBe(
      'https://team-a.us-east-1.example:443',
    );
    expect(
      (await w.secrets.describe(`eks-access-sync/${accountB}/eu-west-1/team-a/partner-ci`))?.tags,
    ).toMatchObject({
      'eks-access-sync:cluster': 'team-a',
      'eks-access-sync:region': 'eu-west-1',
      'eks-access-sync:account': accountB,
    });
  });

  it('keeps using a secret named the old way for the cluster its kubeconfig points at, and claims it', async () => {
    // Prepare: team-a (us-east-1) got its kubeconfig before secrets named region and account.
    const w = world();
    const { foundBy: _, accountId: __, ...asBefore } = found(w.config, teamA);
    await w.issue(asBefore);
    const legacy = w.secrets.secrets.get(legacyName);
    if (!legacy) throw new Error('no legacy secret');
    delete legacy.tags['eks-access-sync:region'];
    delete legacy.tags['eks-access-sync:account'];

    // Act: the other team-a first, then the first one again.
    await w.issue(found(w.config, teamB));
    const first = await w.issue(found(w.config, teamA));

    // Assess
    expect(first).toMatchObject({ users: [{ secret: legacyName, status: 'unchanged' }] });
    expect([...w.secrets.secrets.keys()].sort()).toEqual([
      `eks-access-sync/${accountB}/eu-west-1/team-a/partner-ci`,
      legacyName,
    ]);
    expect(await w.serverIn(legacyName)).toBe('https://team-a.us-east-1.example:443');
    expect(w.secrets.secrets.get(legacyName)?.tags).toMatchObject({
      'eks-access-sync:region': 'us-east-1',
      'eks-access-sync:account': accountA,
    });
  });

  it('refuses an {account} in a secret name where a listed cluster has no known account', () => {
    expect(() =>
      parseAccessConfig(`
clusters: [{name: prod-east, region: us-east-1}, {name: dev, region: us-east-1, accountId: '${accountA}'}]
externalUsers: [{name: partner-ci, clusterRole: edit, secretName: 'kube/{account}/{cluster}/{name}'}]
`),
    ).toThrow(
      /externalUsers\[0\]\.secretName \(line 3\): .*needs the account of cluster prod-east \(us-east-1\)/s,
    );
    expect(() =>
      parseAccessConfig(
        `${configText.replace('clusterRole: edit}', 'clusterRole: edit, secretName: kube/{name}}')}`,
      ),
    ).toThrow(InvalidConfigError);
  });
});

describe('cleanup after DeleteCluster, by identity', () => {
  const secret = (name: string, tags: Record<string, string>) => ({
    arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
    name,
    tags,
    stages: {},
    deleted: false,
  });
  const partner = { name: 'partner-ci', namespace: 'external-access' };
  const cleanup = (config: string, cluster: typeof teamA, secrets: ReturnType<typeof fakeSecrets>) =>
    bootstrapCluster({
      config: parseAccessConfig(config),
      secrets: secrets.store,
      functionPrincipal: async () => 'arn:aws:iam::123456789012:role/eks-access-sync-bootstrap',
    } as unknown as BootstrapDeps)({ kind: 'cleanup', cluster, why: 'test' });
  const tagsOnly = `
clusters: [{name: prod-east, region: us-east-1}]
bootstrap: {selectors: [{tags: {team: payments}}]}
`;

  it("a selector naming only tags never matches another cluster's DeleteCluster", async () => {
    const secrets = fakeSecrets([
      secret(`eks-access-sync/${accountA}/us-east-1/team-a/partner-ci`, secretTags(partner, teamA)),
      secret(legacyName, secretTags(partner, 'team-a')),
    ]);

    const result = await cleanup(tagsOnly, teamB, secrets);

    expect(result).toMatchObject({ status: 'ignored', accountId: accountB });
    expect(result.reason).toMatch(/team-a \(eu-west-1, account 222222222222\) is not listed/);
    expect(secrets.scheduled).toEqual([]);
  });

  it('cleans what it stored for exactly the deleted cluster, found by tags, and leaves an old-named secret', async () => {
    const secrets = fakeSecrets([
      secret(`eks-access-sync/${accountA}/us-east-1/team-a/partner-ci`, secretTags(partner, teamA)),
      secret(`eks-access-sync/${accountB}/eu-west-1/team-a/partner-ci`, secretTags(partner, teamB)),
      secret(legacyName, secretTags(partner, 'team-a')),
    ]);

    const result = await cleanup(tagsOnly, teamA, secrets);

    expect(result).toMatchObject({
      status: 'cleaned',
      secrets: { scheduledForDeletion: [`eks-access-sync/${accountA}/us-east-1/team-a/partner-ci`] },
    });
  });

  it('leaves a listed cluster without accountId alone when a namesake in another account is deleted', async () => {
    const secrets = fakeSecrets([
      secret('eks-access-sync/prod-east/partner-ci', secretTags(partner, 'prod-east')),
    ]);

    const other = await cleanup(
      tagsOnly,
      { name: 'prod-east', region: 'us-east-1', accountId: accountB },
      secrets,
    );
    const own = await cleanup(
      tagsOnly,
      { name: 'prod-east', region: 'us-east-1', accountId: '123456789012' },
      secrets,
    );

    expect(other.status).toBe('ignored');
    expect(other.reason).toMatch(/account 123456789012\).*account 222222222222\) is another cluster/);
    expect(own).toMatchObject({
      status: 'cleaned',
      secrets: { scheduledForDeletion: ['eks-access-sync/prod-east/partner-ci'] },
    });
  });
});
