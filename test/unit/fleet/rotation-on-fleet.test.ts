import { describe, expect, it } from 'vitest';
import { bootstrapCluster } from '../../../src/app/bootstrap/bootstrap-cluster';
import type { BootstrapDeps } from '../../../src/app/bootstrap/bootstrap-ports';
import { type RotateTokensSummary, rotateTokens } from '../../../src/app/rotation/rotate-tokens';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { secretTags } from '../../../src/domain/rotation/rotation-ownership';
import { fakeSecrets } from '../../support/bootstrap-fakes';
import { endpoint, FakeCluster, fakeDeps } from '../rotation/fakes';
import { fakeFleet } from './fake-fleet';

const account = '222233334444';
const configText = `
clusters: []
bootstrap:
  selectors: [{namePattern: team-*, accounts: ["${account}"], regions: [us-east-1, eu-west-1]}]
externalUsers:
  - {name: partner-ci, namespace: external-access, clusterRole: edit}
`;
const teamA = { name: 'team-a', region: 'us-east-1', accountId: account };
const teamB = { name: 'team-b', region: 'eu-west-1', accountId: account };
const secretOf = (c: typeof teamA) => `eks-access-sync/${account}/${c.region}/${c.name}/partner-ci`;
const schedule = { kind: 'schedule', why: 'schedule' } as const;

/** Rotation over the fakes, each cluster its own API server, on a fleet the test sets. */
function world() {
  const f = fakeDeps(configText);
  const servers = new Map<string, FakeCluster>();
  const server = (url: string) => {
    const known = servers.get(url) ?? new FakeCluster(url, f.clock.now);
    servers.set(url, known);
    return known;
  };
  const urlOf = (c: { name: string; region: string }) => `https://${c.name}.${c.region}.example:443`;
  f.deps.clusters.endpoint = async (c) => ({ ...endpoint, server: urlOf(c) });
  f.deps.externalAccess = (_name, e) => server(e.server).access();
  f.deps.identify = async (e) => server(e.server).identify(e);
  const run = async (fleet: ReturnType<typeof fakeFleet>) =>
    (await rotateTokens({ ...f.deps, fleet: fleet.fleet })(schedule)) as RotateTokensSummary;
  const accountsOn = (c: typeof teamA) => [...server(urlOf(c)).accounts.keys()];
  return { ...f, run, accountsOn, config: f.deps.config };
}

describe('rotateTokens works on the fleet', () => {
  it('issues kubeconfigs on every cluster a selector found, with an empty clusters: list', async () => {
    // Prepare
    const w = world();

    // Act
    const summary = await w.run(fakeFleet(w.config, [teamA, teamB]));

    // Assess
    expect(summary.users.map((u) => [u.cluster, u.status, u.secret])).toEqual([
      ['team-a', 'issued', secretOf(teamA)],
      ['team-b', 'issued', secretOf(teamB)],
    ]);
  });

  it('never offboards a cluster whose place could not be listed: its secret and ServiceAccount stay, the place is named', async () => {
    // Prepare
    const w = world();
    await w.run(fakeFleet(w.config, [teamA, teamB]));
    const place = {
      accountId: account,
      region: 'eu-west-1',
      reason: `account ${account} in eu-west-1: AccessDenied`,
    };

    // Act
    const summary = await w.run(fakeFleet(w.config, [teamA], [place]));

    // Assess
    expect(summary.unreachablePlaces).toEqual([place]);
    expect(summary.offboarded.map((o) => `${o.cluster} ${o.status}`)).toEqual(['team-a unchanged']);
    expect(w.secrets.secrets.get(secretOf(teamB))?.deleted).toBe(false);
    expect(w.accountsOn(teamB)).toEqual(['external-access/partner-ci']);
  });

  it('keeps a secret named the old way that is still in use for a found cluster: the schedule does not offboard it', async () => {
    // Prepare: team-a's kubeconfig lives under the name it had before secrets named account and region.
    const w = world();
    const legacyName = 'eks-access-sync/team-a/partner-ci';
    await w.run(fakeFleet(w.config, [teamA]));
    const made = w.secrets.secrets.get(secretOf(teamA));
    if (!made) throw new Error('no secret issued');
    w.secrets.secrets.delete(secretOf(teamA));
    // A secret of that name has an ARN of that name.
    w.secrets.secrets.set(legacyName, {
      ...made,
      name: legacyName,
      arn: made.arn.replace(secretOf(teamA), legacyName),
    });

    // Act
    const summary = await w.run(fakeFleet(w.config, [teamA]));

    // Assess
    expect(summary.users).toEqual([expect.objectContaining({ secret: legacyName, status: 'unchanged' })]);
    expect(summary.offboarded).toEqual([
      expect.objectContaining({ cluster: 'team-a', status: 'unchanged', secrets: [] }),
    ]);
    expect(w.secrets.secrets.get(legacyName)?.deleted).toBe(false);
  });
});

describe('DeleteCluster cleanup with a fleet found by selectors', () => {
  it('schedules the secrets of a found cluster for deletion when no cluster is listed at all', async () => {
    // Prepare
    const partner = { name: 'partner-ci', namespace: 'external-access' };
    const stored = (c: typeof teamA) => ({
      arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secretOf(c)}-AbCdEf`,
      name: secretOf(c),
      tags: secretTags(partner, c),
      stages: {},
      deleted: false,
    });
    const secrets = fakeSecrets([stored(teamA), stored(teamB)]);

    // Act
    const result = await bootstrapCluster({
      config: parseAccessConfig(configText),
      secrets: secrets.store,
      functionPrincipal: async () => 'arn:aws:iam::123456789012:role/eks-access-sync-bootstrap',
    } as unknown as BootstrapDeps)({ kind: 'cleanup', cluster: teamA, why: 'DeleteCluster' });

    // Assess
    expect(result).toMatchObject({
      status: 'cleaned',
      managedBy: 'bootstrap selector 0 (namePattern team-*)',
      secrets: { scheduledForDeletion: [secretOf(teamA)] },
    });
    expect(secrets.scheduled.map((s) => s.secretId)).toEqual([stored(teamA).arn]);
  });
});
