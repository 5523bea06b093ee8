import { describe, expect, it } from 'vitest';
import { desiredEntries } from '../../../src/domain/aws-auth/desired-state';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import {
  permissionSetsOn,
  resolvePermissionSets,
  rolesOfPermissionSet,
} from '../../../src/domain/config/permission-sets';
import { InvalidConfigError } from '../../../src/domain/errors';

const ssoRole = (account: string, set: string, random = '0123456789abcdef') => ({
  roleName: `AWSReservedSSO_${set}_${random}`,
  arn: `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_${set}_${random}`,
});

function issuesOf(text: string): { path: string; message: string }[] {
  try {
    parseAccessConfig(text);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues;
  }
}

const config = parseAccessConfig(`
clusters:
  - {name: prod, region: eu-west-1, roleArn: 'arn:aws:iam::222233334444:role/eks-access-sync'}
  - {name: dev, region: eu-west-1}
roles:
  - permissionSet: Developer
    username: 'sso-dev:{{SessionName}}'
    kubernetesGroups: [developers]
  - permissionSet: Auditor
    username: 'sso-audit:{{SessionName}}'
    kubernetesGroups: [auditors]
    clusters: [prod]
  - roleArn: arn:aws:iam::222233334444:role/ci-deployer
    username: ci
`);

describe('roles mapped by IAM Identity Center permission set', () => {
  it('accepts permissionSet in place of roleArn, with username, groups and cluster scope', () => {
    expect(config.roles.map((r) => r.permissionSet ?? r.roleArn)).toEqual([
      'Developer',
      'Auditor',
      'arn:aws:iam::222233334444:role/ci-deployer',
    ]);
    expect(permissionSetsOn(config, 'prod')).toEqual(['Auditor', 'Developer']);
    expect(permissionSetsOn(config, 'dev')).toEqual(['Developer']);
  });

  it('refuses a mapping with both roleArn and permissionSet, or neither, saying where', () => {
    const issues = issuesOf(`
clusters: [{name: prod, region: eu-west-1}]
roles:
  - {permissionSet: Developer, roleArn: 'arn:aws:iam::222233334444:role/x', username: a}
  - {username: b}
  - {permissionSet: 'not a set!', username: c}
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'roles[0].permissionSet (line 4)',
          message: expect.stringMatching(/either roleArn or permissionSet/),
        }),
        expect.objectContaining({
          path: 'roles[1].roleArn (line 5)',
          message: expect.stringMatching(/either roleArn or permissionSet/),
        }),
        expect.objectContaining({
          path: 'roles[2].permissionSet (line 6)',
          message: expect.stringMatching(/not a permission set name/),
        }),
      ]),
    );
  });

  it('refuses the same permission set mapped twice', () => {
    const issues = issuesOf(`
clusters: [{name: prod, region: eu-west-1}]
roles:
  - {permissionSet: Developer, username: a}
  - {permissionSet: developer, username: b}
`);
    expect(issues).toEqual([
      { path: 'roles[1].permissionSet (line 5)', message: 'permission set developer is mapped twice' },
    ]);
  });

  it('judges a permission set mapping by the privilege policy like any role mapping', () => {
    const issues = issuesOf(`
clusters: [{name: prod, region: eu-west-1}]
roles:
  - {permissionSet: Admins, username: 'sso:{{SessionName}}', kubernetesGroups: [system:masters]}
`);
    expect(issues.map((i) => i.path)).toContain('roles[0].kubernetesGroups[0] (line 4)');
  });

  it("picks the set's own role by exact suffix, never one of a set whose name starts the same", () => {
    const roles = [
      ssoRole('1', 'Dev_Ops'),
      ssoRole('1', 'Dev', 'fedcba9876543210'),
      ssoRole('1', 'Developer'),
    ];
    expect(rolesOfPermissionSet(roles, 'Dev').map((r) => r.roleName)).toEqual([
      'AWSReservedSSO_Dev_fedcba9876543210',
    ]);
    expect(rolesOfPermissionSet(roles, 'dev_ops').map((r) => r.roleName)).toEqual([
      'AWSReservedSSO_Dev_Ops_0123456789abcdef',
    ]);
  });

  it("maps the role found in the cluster's account without its path, and the source names the set", () => {
    const found = ssoRole('222233334444', 'Developer');
    const resolved = resolvePermissionSets(config, { name: 'dev', account: '222233334444' }, [found]);

    expect(resolved.missing).toEqual([]);
    const entries = desiredEntries(resolved.config, 'dev', new Map()).filter((e) => e.username !== 'ci');
    expect(entries).toEqual([
      expect.objectContaining({
        section: 'mapRoles',
        arn: 'arn:aws:iam::222233334444:role/AWSReservedSSO_Developer_0123456789abcdef',
        principalArn: found.arn,
        username: 'sso-dev:{{SessionName}}',
        groups: ['developers'],
        sources: [`permission set Developer (${found.arn})`],
      }),
    ]);
  });

  it('skips a set with no role in the account on that cluster only, naming set, account and cluster', () => {
    const resolved = resolvePermissionSets(config, { name: 'prod', account: '222233334444' }, [
      ssoRole('222233334444', 'Developer'),
    ]);

    expect(resolved.missing).toEqual([
      'permission set Auditor has no role in account 222233334444 of cluster prod: its mapping is skipped there',
    ]);
    expect(
      desiredEntries(resolved.config, 'prod', new Map())
        .map((e) => e.username)
        .sort(),
    ).toEqual(['ci', 'sso-dev:{{SessionName}}']);
  });

  it("says the function's own account for a cluster of unknown account", () => {
    expect(resolvePermissionSets(config, { name: 'dev' }, []).missing).toEqual([
      "permission set Developer has no role in the function's own account of cluster dev: its mapping is skipped there",
    ]);
  });

  it('maps nothing for an unresolved permission set (the desired state never guesses an ARN)', () => {
    expect(desiredEntries(config, 'prod', new Map()).map((e) => e.username)).toEqual(['ci']);
  });
});
