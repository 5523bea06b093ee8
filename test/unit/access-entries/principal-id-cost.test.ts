import {
  GetGroupCommand,
  type GetGroupCommandOutput,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { eksClusters } from '../../../src/adapters/eks-clusters';
import { iamDirectory } from '../../../src/adapters/iam-directory';
import { iamPrincipals } from '../../../src/adapters/iam-principals';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { type FakeEks, fakeEks } from '../../support/fake-eks';
import { memoryClusters } from '../../support/memory-clusters';

const account = '111122223333';
const idTag = 'eks-access-sync.io/principal-id';
const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;
const roleArn = `arn:aws:iam::${account}:role/ci-deployer`;
const userName = (i: number) => `user-${String(i).padStart(4, '0')}`;
const userId = (i: number) => `AIDAUSER${String(i).padStart(4, '0')}`;

const config = parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    backend: accessEntries
  - name: stage
    region: us-east-1
    backend: accessEntries
groups:
  - iamGroup: eks-developers
    kubernetesGroups: [developers]
roles:
  - roleArn: ${roleArn}
    username: ci-deployer
    kubernetesGroups: [deployers]
  - permissionSet: Developer
    username: 'sso-dev:{{SessionName}}'
    kubernetesGroups: [sso-developers]
settings:
  adoptUnownedEntries: false
`);

/** IAM as the SDK answers: GetGroup pages of 100 members, each with its UserId; every command counted. */
function fakeIam(users: number) {
  const calls: string[] = [];
  const send = async (command: unknown) => {
    calls.push((command as object).constructor.name);
    if (command instanceof GetGroupCommand) {
      const start = Number(command.input.Marker ?? 0);
      const end = Math.min(start + 100, users);
      const page: Partial<GetGroupCommandOutput> = {
        Users: Array.from({ length: end - start }, (_, k) => ({
          UserName: userName(start + k),
          UserId: userId(start + k),
          Arn: `arn:aws:iam::${account}:user/${userName(start + k)}`,
          Path: '/',
          CreateDate: new Date(0),
        })),
        IsTruncated: end < users,
        ...(end < users ? { Marker: String(end) } : {}),
      };
      return page;
    }
    if (command instanceof GetRoleCommand) return { Role: { RoleId: 'AROACIDEPLOYER1', Arn: roleArn } };
    if (command instanceof GetUserCommand) throw new Error('GetUser must not be called');
    throw new Error(`unexpected IAM call ${(command as object).constructor.name}`);
  };
  return { calls, client: { send } as unknown as IAMClient };
}

let eks: FakeEks | undefined;
afterEach(() => eks?.restore());

describe('what recording principal ids costs in IAM calls', () => {
  it('syncs 1,000 mapped users on two access-entries clusters with 0 GetUser and one GetRole per configured role', async () => {
    // Prepare: two access-entries clusters; a permission set whose role ListRoles gives with its RoleId.
    eks = fakeEks({
      pageSize: 100,
      clusters: {
        prod: { status: 'ACTIVE', authenticationMode: 'API' },
        stage: { status: 'ACTIVE', authenticationMode: 'API' },
      },
    });
    const iam = fakeIam(1000);
    const ssoRole = `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef`;
    const deps = {
      config,
      iam: iamDirectory(iam.client),
      principals: iamPrincipals(iam.client, async () => account),
      ssoRoles: {
        async rolesFor() {
          return [
            { roleName: 'AWSReservedSSO_Developer_0123456789abcdef', arn: ssoRole, roleId: 'AROASSODEV1' },
          ];
        },
      },
      clusters: memoryClusters(eks.calls).access,
      eks: eksClusters({ credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
      sleep: async () => {},
    };

    // Act
    const summary = await syncAccess(deps)(apply);

    // Assess: every user's entry carries the UserId GetGroup gave; roles theirs; IAM asked 10 pages + 1 role.
    expect(summary.clusters.map((c) => [c.cluster, c.status, c.added.length])).toEqual([
      ['prod', 'updated', 1002],
      ['stage', 'updated', 1002],
    ]);
    const count = (name: string) => iam.calls.filter((c) => c === name).length;
    expect(count('GetUserCommand')).toBe(0);
    expect(count('GetRoleCommand')).toBe(1);
    expect(count('GetGroupCommand')).toBe(10);
    expect(iam.calls).toHaveLength(11);
    const tagOf = (cluster: string, arn: string) =>
      eks?.entries(cluster).find((e) => e.principalArn === arn)?.tags?.[idTag];
    for (const cluster of ['prod', 'stage']) {
      expect(tagOf(cluster, `arn:aws:iam::${account}:user/${userName(7)}`)).toBe(userId(7));
      expect(tagOf(cluster, `arn:aws:iam::${account}:user/${userName(999)}`)).toBe(userId(999));
      expect(tagOf(cluster, roleArn)).toBe('AROACIDEPLOYER1');
      expect(tagOf(cluster, ssoRole)).toBe('AROASSODEV1');
    }
  });
});
