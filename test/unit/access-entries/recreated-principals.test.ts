import { afterEach, describe, expect, it } from 'vitest';
import { eksClusters } from '../../../src/adapters/eks-clusters';
import type { PrincipalIds } from '../../../src/app/access-entries/principal-ids';
import type { IamDirectory } from '../../../src/app/ports';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { type FakeEks, fakeEks } from '../../support/fake-eks';
import { memoryClusters } from '../../support/memory-clusters';

const account = '111122223333';
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const managed = { 'eks-access-sync.io/managed': 'true' };
const idTag = 'eks-access-sync.io/principal-id';
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const edit = { AmazonEKSEditPolicy: { type: 'namespace' as const, namespaces: ['dev'] } };

const config = parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    backend: accessEntries
groups:
  - iamGroup: eks-developers
    kubernetesGroups: [developers]
    accessPolicies: [{ policy: AmazonEKSEditPolicy, scope: { namespaces: [dev] } }]
settings:
  adoptUnownedEntries: false
`);

const iam: IamDirectory = {
  async groupMembers(group) {
    return group === 'eks-developers' ? [{ userName: 'dan', arn: userArn('dan') }] : [];
  },
  async userGroups() {
    return undefined;
  },
};

/** IAM's unique ids by user name; a name mapped to an Error makes IAM fail for it. */
function principals(ids: Record<string, string | Error>): PrincipalIds {
  return {
    async uniqueId(arn) {
      const id = ids[arn.name];
      if (id instanceof Error) throw id;
      return id ?? null;
    },
  };
}

let eks: FakeEks | undefined;
afterEach(() => eks?.restore());

function world(ids: Record<string, string | Error>) {
  eks = fakeEks({ clusters: { prod: { status: 'ACTIVE', authenticationMode: 'API' } } });
  const clusters = memoryClusters(eks.calls);
  const deps = {
    config,
    iam,
    clusters: clusters.access,
    eks: eksClusters({ credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
    principals: principals(ids),
    sleep: async () => {},
  };
  return { eks, run: () => syncAccess(deps)(apply) };
}

describe('access entries of recreated principals', () => {
  it('records the principal’s unique id on the entry it creates', async () => {
    const w = world({ dan: 'AIDADAN1' });

    await w.run();

    expect(w.eks.entries('prod')[0]?.tags).toEqual({ ...managed, [idTag]: 'AIDADAN1' });
  });

  it('replaces its entry made for an earlier principal of the ARN, policies included, instead of "unchanged"', async () => {
    // Prepare: dan was deleted and created again; the entry is bound to the old id.
    const w = world({ dan: 'AIDADAN2' });
    w.eks.seed(
      'prod',
      {
        principalArn: userArn('dan'),
        username: 'dan',
        kubernetesGroups: ['developers'],
        tags: { ...managed, [idTag]: 'AIDADAN1' },
      },
      edit,
    );

    // Act
    const summary = await w.run();
    const again = await w.run();

    // Assess
    expect(summary.clusters[0]).toMatchObject({
      status: 'updated',
      changed: [userArn('dan')],
      added: [],
      removed: [],
    });
    expect(summary.clusters[0]?.diff.join('\n')).toContain(
      `~ accessEntry ${userArn('dan')} (recreated principal: replaced)`,
    );
    expect(w.eks.calls).toEqual([
      `DeleteAccessEntry ${userArn('dan')}`,
      `CreateAccessEntry ${userArn('dan')}`,
      `AssociateAccessPolicy ${userArn('dan')} AmazonEKSEditPolicy`,
    ]);
    expect(w.eks.entries('prod')[0]).toMatchObject({
      kubernetesGroups: ['developers'],
      tags: { ...managed, [idTag]: 'AIDADAN2' },
      policies: edit,
    });
    expect(again.clusters[0]).toMatchObject({ status: 'unchanged', unchanged: 1 });
  });

  it('records the id on its entry made before ids were kept, without replacing it', async () => {
    const w = world({ dan: 'AIDADAN1' });
    w.eks.seed(
      'prod',
      { principalArn: userArn('dan'), username: 'dan', kubernetesGroups: ['developers'], tags: managed },
      edit,
    );

    const summary = await w.run();

    expect(summary.clusters[0]?.status).toBe('updated');
    expect(w.eks.calls).toEqual([`TagResource ${userArn('dan')}`]);
    expect(w.eks.entries('prod')[0]?.tags).toEqual({ ...managed, [idTag]: 'AIDADAN1' });
  });

  it('never touches an entry that is not its own, whatever id it carries', async () => {
    const w = world({ dan: 'AIDADAN2' });
    w.eks.seed('prod', {
      principalArn: userArn('dan'),
      kubernetesGroups: ['hand-made'],
      tags: { [idTag]: 'AIDADAN1' },
    });

    const summary = await w.run();

    expect(summary.clusters[0]?.conflicts).toHaveLength(1);
    expect(w.eks.calls).toEqual([]);
  });

  it('replaces nothing when IAM cannot say the id, and says so', async () => {
    const w = world({ dan: new Error('Rate exceeded') });
    w.eks.seed(
      'prod',
      {
        principalArn: userArn('dan'),
        username: 'dan',
        kubernetesGroups: ['developers'],
        tags: { ...managed, [idTag]: 'AIDADAN1' },
      },
      edit,
    );

    const summary = await w.run();

    expect(summary.clusters[0]?.status).toBe('unchanged');
    expect(summary.clusters[0]?.warnings.join('\n')).toContain(
      `${userArn('dan')}: its IAM unique id could not be read`,
    );
    expect(w.eks.calls).toEqual([]);
  });
});
