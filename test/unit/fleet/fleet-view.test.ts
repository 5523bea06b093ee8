import { describe, expect, it } from 'vitest';
import type { ClusterDescription, EksClusters } from '../../../src/app/access-entries/eks-ports';
import { fleetView } from '../../../src/app/fleet/fleet-view';
import type { IamDirectory } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { fleetCommand, fleetTable } from '../../../src/cli/fleet-command';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';
import { encodeLastSync, lastSyncTag, readLastSync } from '../../../src/domain/fleet/last-sync';
import { syncAccessHandler } from '../../../src/lambda/sync-access-handler';
import { memoryClusters } from '../../support/memory-clusters';
import { fakeFleet } from './fake-fleet';

const account = '222233334444';
const userArn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const config = parseAccessConfig(`
clusters: [{name: prod-east, region: us-east-1, backend: configMap}]
groups:
  - {iamGroup: devs, kubernetesGroups: [developers]}
bootstrap:
  selectors: [{namePattern: team-*, accounts: ["${account}"], regions: [eu-west-1], backend: auto}]
`);
const teamA = { name: 'team-a', region: 'eu-west-1', accountId: account };
const place = {
  accountId: account,
  region: 'ap-south-1',
  reason: `account ${account} in ap-south-1: AccessDenied`,
};
const at = new Date('2026-12-04T15:00:00.000Z');

const iam: IamDirectory = {
  groupMembers: async () => [{ userName: 'dan', arn: userArn('dan') }],
  userGroups: async (userName) => ({ user: { userName, arn: userArn(userName) }, groups: ['devs'] }),
};

/** EKS as the fleet view and the recorder see it: each cluster's tags, mode and status, in memory. */
function fakeEks(failing: string[] = []) {
  const tags = new Map<string, Record<string, string>>();
  const eks: EksClusters = {
    async describe(cluster): Promise<ClusterDescription | undefined> {
      if (failing.includes(cluster.name))
        throw new Error(`describing cluster ${cluster.name}: AccessDeniedException`);
      return {
        name: cluster.name,
        region: cluster.region,
        status: 'ACTIVE',
        authenticationMode: cluster.name === 'team-a' ? 'API_AND_CONFIG_MAP' : 'CONFIG_MAP',
        tags: tags.get(cluster.name) ?? {},
        accountId: cluster.accountId ?? '111122223333',
        partition: 'aws',
      };
    },
    accessEntries: async () => {
      throw new Error('not used');
    },
  };
  const records = {
    async record(cluster: { name: string }, value: string) {
      if (failing.includes(cluster.name)) throw new Error('TagResource: AccessDeniedException');
      tags.set(cluster.name, { ...tags.get(cluster.name), [lastSyncTag]: value });
    },
  };
  return { eks, records, tags };
}

describe('the last sync, kept as a tag on the cluster', () => {
  it('reads back what was written, and keeps to what an EKS tag value may hold', () => {
    // Prepare
    const result = {
      status: 'refused',
      added: [],
      removed: [],
      changed: [],
      reason: `IAM group ops mapped on cluster blue does not exist (deleted or renamed?), ${'x'.repeat(300)}`,
    };

    // Act
    const value = encodeLastSync(result, at, 'AddUserToGroup, RemoveUserFromGroup');

    // Assess
    expect(value.length).toBeLessThanOrEqual(256);
    expect(value).toMatch(/^[A-Za-z0-9 _.:/=+\-@]+$/);
    expect(readLastSync({ [lastSyncTag]: value })).toEqual({
      status: 'refused',
      at: '2026-12-04T15:00:00.000Z',
      added: 0,
      removed: 0,
      changed: 0,
      note: expect.stringMatching(
        /^AddUserToGroup RemoveUserFromGroup: IAM group ops mapped on cluster blue does not exist deleted or renamed/,
      ),
    });
    expect(readLastSync({ [lastSyncTag]: 'something else' })).toBeUndefined();
  });

  it('syncAccess records each cluster it applied to, never a plan; a record that fails is a warning, not a failure', async () => {
    // Prepare
    const eks = fakeEks(['prod-east']);
    const deps = {
      config,
      iam,
      clusters: memoryClusters().access,
      eks: eks.eks,
      fleet: fakeFleet(config, [teamA]).fleet,
      records: eks.records,
      clock: { now: () => at },
      sleep: async () => {},
    };
    const run = syncAccess({ ...deps, eks: undefined });

    // Act
    await run({ kind: 'reconcile', apply: false, force: false, clusters: ['team-a'], why: 'plan' });
    const afterPlan = eks.tags.get('team-a');
    const summary = await run({ kind: 'reconcile', apply: true, force: false, why: 'schedule' });

    // Assess
    expect(afterPlan).toBeUndefined();
    expect(readLastSync(eks.tags.get('team-a') ?? {})).toMatchObject({
      status: 'error',
      at: at.toISOString(),
    });
    expect(summary.clusters.map((c) => [c.cluster, c.status, c.warnings])).toEqual([
      ['prod-east', 'updated', ['last sync not recorded: TagResource: AccessDeniedException']],
      ['team-a', 'error', []],
    ]);
  });
});

describe('the fleet view', () => {
  async function report(failing: string[] = []) {
    const eks = fakeEks(failing);
    const fleet = fakeFleet(config, [teamA], [place]).fleet;
    await syncAccess({
      config,
      iam,
      clusters: memoryClusters().access,
      fleet,
      records: eks.records,
      clock: { now: () => at },
      sleep: async () => {},
    })({ kind: 'reconcile', apply: true, force: false, clusters: ['prod-east'], why: 'schedule' });
    return fleetView({ config, fleet, eks: eks.eks })('manual fleet');
  }

  it('lists every managed cluster: account, region, how it was found, backend, mode, last sync; and the places not listed', async () => {
    // Act
    const view = await report();

    // Assess
    expect(view).toEqual({
      command: 'fleet',
      why: 'manual fleet',
      fleet: [
        {
          cluster: 'prod-east',
          region: 'us-east-1',
          accountId: '111122223333',
          foundBy: 'config',
          backend: 'configMap',
          authenticationMode: 'CONFIG_MAP',
          clusterStatus: 'ACTIVE',
          lastSync: {
            status: 'updated',
            at: at.toISOString(),
            added: 1,
            removed: 0,
            changed: 0,
            note: 'schedule',
          },
        },
        {
          cluster: 'team-a',
          region: 'eu-west-1',
          accountId: account,
          foundBy: 'bootstrap selector 0 (namePattern team-*)',
          backend: 'auto',
          authenticationMode: 'API_AND_CONFIG_MAP',
          clusterStatus: 'ACTIVE',
        },
      ],
      unreachablePlaces: [place],
    });
    expect(fleetTable(view).split('\n')).toEqual([
      'CLUSTER    REGION     ACCOUNT       FOUND BY                                   BACKEND    MODE                LAST SYNC',
      'prod-east  us-east-1  111122223333  config                                     configMap  CONFIG_MAP          updated 2026-12-04T15:00:00.000Z +1 -0 ~0 (schedule)',
      `team-a     eu-west-1  ${account}  bootstrap selector 0 (namePattern team-*)  auto       API_AND_CONFIG_MAP  never recorded`,
      '',
    ]);
  });

  it('names a cluster it could not describe instead of leaving it out', async () => {
    // Act
    const view = await report(['team-a']);

    // Assess
    expect(view.fleet[1]).toEqual(
      expect.objectContaining({
        cluster: 'team-a',
        problem: 'describing cluster team-a: AccessDeniedException',
      }),
    );
  });

  it('answers {"action": "fleet"} through syncAccess, and refuses one that names clusters', async () => {
    // Prepare
    const eks = fakeEks();
    const deps = {
      config,
      iam,
      clusters: memoryClusters().access,
      eks: eks.eks,
      fleet: fakeFleet(config, [teamA]).fleet,
    };
    const handle = syncAccessHandler(() => deps, { addMetric: () => undefined as never });

    // Act
    const answer = await handle({ action: 'fleet' });
    const refused = await handle({ action: 'fleet', clusters: ['team-a'] });

    // Assess
    expect(answer).toMatchObject({
      command: 'fleet',
      fleet: [{ cluster: 'prod-east' }, { cluster: 'team-a' }],
    });
    expect(refused).toEqual({
      rejected: 'manual invoke: fleet lists every managed cluster; it takes no clusters, force or requestId',
    });
  });
});

describe('eks-access-sync fleet', () => {
  function output() {
    const text = { stdout: '', stderr: '' };
    return {
      text,
      out: {
        stdout: (t: string) => {
          text.stdout += t;
        },
        stderr: (t: string) => {
          text.stderr += t;
        },
      },
    };
  }
  const deps =
    (places = [place]) =>
    () => ({ config, eks: fakeEks().eks, fleet: fakeFleet(config, [teamA], places).fleet });

  it('prints the table and exits 1 when a place could not be listed, saying which', async () => {
    const o = output();

    const code = await fleetCommand({ config: 'access.yaml' }, o.out, deps());

    expect(code).toBe(1);
    expect(o.text.stdout.split('\n')[0]).toMatch(
      /^CLUSTER +REGION +ACCOUNT +FOUND BY +BACKEND +MODE +LAST SYNC$/,
    );
    expect(o.text.stderr).toBe(`not listed: ${place.reason}\n`);
  });

  it('prints JSON and exits 0 when the whole fleet was seen', async () => {
    const o = output();

    const code = await fleetCommand({ config: 'access.yaml', json: true }, o.out, deps([]));

    expect(code).toBe(0);
    expect(JSON.parse(o.text.stdout)).toMatchObject({
      command: 'fleet',
      fleet: [{ cluster: 'prod-east' }, { cluster: 'team-a' }],
    });
  });

  it('exits 2 with the problems of an invalid config', async () => {
    const o = output();
    const invalid = () => {
      throw new InvalidConfigError('access.yaml', [{ path: 'clusters', message: 'no cluster to manage' }]);
    };

    const code = await fleetCommand({ config: 'access.yaml' }, o.out, invalid);

    expect(code).toBe(2);
    expect(o.text.stderr).toBe(
      'eks-access-sync: access.yaml is invalid:\n  clusters: no cluster to manage\n',
    );
  });
});
