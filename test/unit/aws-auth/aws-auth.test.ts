import { describe, expect, it } from 'vitest';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { AwsAuthParseError } from '../../../src/domain/errors';
import { loadAwsAuthFixture } from './aws-auth-configmap';

const fixture = (name: string) => loadAwsAuthFixture(name).data;

/** The problems parseAwsAuth refuses the ConfigMap for, or [] when it reads it. */
function problemsOf(data: Record<string, string>): string[] {
  try {
    parseAwsAuth(data);
    return [];
  } catch (error) {
    if (!(error instanceof AwsAuthParseError)) throw error;
    return error.problems;
  }
}

describe('parseAwsAuth on the scenarios of test/fixtures/aws-auth', () => {
  it('reads the node, Fargate and Windows roles and a hand-written user with their lines', () => {
    // Prepare
    const data = fixture('node-fargate-windows-roles.yaml');

    // Act
    const { entries, warnings } = parseAwsAuth(data);

    // Assess
    expect(entries.map((e) => [e.section, e.arn, e.username, e.groups, e.line, e.index])).toEqual([
      [
        'mapRoles',
        'arn:aws:iam::111122223333:role/eks-node-group-role',
        'system:node:{{EC2PrivateDNSName}}',
        ['system:bootstrappers', 'system:nodes'],
        2,
        0,
      ],
      [
        'mapRoles',
        'arn:aws:iam::111122223333:role/eks-fargate-pod-execution-role',
        'system:node:{{SessionName}}',
        ['system:bootstrappers', 'system:nodes', 'system:node-proxier'],
        8,
        1,
      ],
      [
        'mapRoles',
        'arn:aws:iam::111122223333:role/eks-windows-node-role',
        'system:node:{{EC2PrivateDNSName}}',
        ['eks:kube-proxy-windows', 'system:bootstrappers', 'system:nodes'],
        15,
        2,
      ],
      ['mapUsers', 'arn:aws:iam::111122223333:user/break-glass', 'break-glass', ['system:masters'], 1, 0],
    ]);
    expect(warnings).toEqual([]);
  });

  it('reads field names in any case and keys every ARN lower-cased', () => {
    // Prepare
    const data = fixture('crazy-case-keys.yaml');

    // Act
    const { entries } = parseAwsAuth(data);

    // Assess
    expect(entries.map((e) => [e.arn, e.key, e.username, e.groups])).toEqual([
      [
        'arn:aws:iam::111122223333:role/PlatformAdmin',
        'arn:aws:iam::111122223333:role/platformadmin',
        'platform-admin',
        ['platform-admins'],
      ],
      [
        'arn:aws:iam::111122223333:user/Alice',
        'arn:aws:iam::111122223333:user/alice',
        'alice',
        ['developers'],
      ],
    ]);
  });

  it('reads only the exact data keys mapRoles and mapUsers, ignoring MapRoles, maproles and mapusers', () => {
    // Prepare
    const data = fixture('unknown-data-keys.yaml');

    // Act
    const { entries } = parseAwsAuth(data);

    // Assess
    expect(entries.map((e) => e.arn)).toEqual(['arn:aws:iam::111122223333:role/eks-node-group-role']);
  });

  it('accepts mapAccounts with quoted and unquoted account IDs next to the mappings', () => {
    // Prepare
    const data = fixture('map-accounts.yaml');

    // Act
    const { entries } = parseAwsAuth(data);

    // Assess
    expect(entries.map((e) => e.arn)).toEqual(['arn:aws:iam::111122223333:user/alice']);
  });

  it('keeps an SSO matcher entry without rolearn, keyed by its position, with a warning', () => {
    // Prepare
    const data = fixture('sso-entry-without-rolearn.yaml');

    // Act
    const { entries, warnings } = parseAwsAuth(data);

    // Assess
    expect(entries[1]).toMatchObject({
      arn: '',
      key: '#1',
      username: 'sso-viewer:{{SessionName}}',
      groups: ['viewers'],
      line: 6,
    });
    expect(warnings).toEqual(['mapRoles line 6: entry has no rolearn; it is kept as it is']);
  });

  it('skips keys that hold only an empty quoted string, as the authenticator does', () => {
    // Prepare
    const data = fixture('empty-quoted-sections.yaml');

    // Act
    const parsed = parseAwsAuth(data);

    // Assess
    expect(parsed).toEqual({ entries: [], warnings: [] });
  });

  it.each([
    {
      scenario: 'unquoted-session-name.yaml',
      problems: [
        'mapRoles line 6: username must be a string, found a mapping (quote values that contain {{…}})',
      ],
    },
    {
      scenario: 'missing-dash.yaml',
      problems: ['mapUsers line 5: Map keys must be unique', 'mapUsers line 6: Map keys must be unique'],
    },
    {
      scenario: 'duplicate-arn.yaml',
      problems: ['mapRoles line 5: arn:aws:iam::111122223333:role/admin is mapped twice (also at line 1)'],
    },
    { scenario: 'groups-as-string.yaml', problems: ['mapRoles line 1: groups must be a list of strings'] },
    {
      scenario: 'yaml11-boolean-username.yaml',
      problems: ['mapUsers line 1: username must be a string, found boolean true (quote it)'],
    },
  ])('refuses $scenario and names the key and the line', ({ scenario, problems }) => {
    // Prepare
    const data = fixture(scenario);

    // Act
    const parse = () => parseAwsAuth(data);

    // Assess
    expect(parse).toThrow(AwsAuthParseError);
    expect(problemsOf(data)).toEqual(problems);
  });

  it('says in its message that the ConfigMap is left untouched, with every problem', () => {
    // Prepare
    const data = { ...fixture('unquoted-session-name.yaml'), ...fixture('yaml11-boolean-username.yaml') };

    // Act
    const parse = () => parseAwsAuth(data);

    // Assess
    expect(parse).toThrow(
      [
        'aws-auth cannot be parsed, so it is left untouched:',
        '  mapRoles line 6: username must be a string, found a mapping (quote values that contain {{…}})',
        '  mapUsers line 1: username must be a string, found boolean true (quote it)',
      ].join('\n'),
    );
  });
});

describe('parseAwsAuth reads scalars as YAML 1.1 and go-yaml do', () => {
  const user = (username: string) => ({
    mapUsers: `- userarn: arn:aws:iam::111122223333:user/a\n  username: ${username}\n`,
  });

  it.each([
    ['yes', 'boolean true'],
    ['Off', 'boolean false'],
    ['n', 'boolean false'],
    ['0x1f', 'number 31'],
    ['0777', 'number 511'],
    ['1_000', 'number 1000'],
    ['0o17', 'number 15'],
    ['-_1', 'number -1'],
    ['1e3', 'number 1000'],
    ['.inf', 'number null'],
  ])('refuses the unquoted username %s, which the authenticator cannot read as a string', (text, found) => {
    // Act
    const problems = problemsOf(user(text));

    // Assess
    expect(problems).toEqual([`mapUsers line 1: username must be a string, found ${found} (quote it)`]);
  });

  it.each([
    ['"yes"', 'yes'],
    ["'0x1f'", '0x1f'],
    ['yES', 'yES'],
    ['2001-12-14', '2001-12-14'],
    ['~', ''],
    ['', ''],
    ['"{{SessionName}}"', '{{SessionName}}'],
    ['system:node:{{EC2PrivateDNSName}}', 'system:node:{{EC2PrivateDNSName}}'],
  ])('reads the username %s as the string %j', (text, expected) => {
    // Act
    const { entries } = parseAwsAuth(user(text));

    // Assess
    expect(entries[0]?.username).toBe(expected);
  });

  it.each([
    [
      'a mapping at the top',
      'rolearn: arn:aws:iam::111122223333:role/a\n',
      'mapRoles line 1: must be a YAML list of mappings',
    ],
    [
      'a list of strings',
      '- arn:aws:iam::111122223333:role/a\n',
      'mapRoles line 1: each entry must be a mapping',
    ],
    [
      'a field written twice in different case',
      '- rolearn: arn:aws:iam::111122223333:role/a\n  RoleArn: arn:aws:iam::111122223333:role/b\n',
      'mapRoles line 1: field "RoleArn" appears twice (field names are case-insensitive)',
    ],
    [
      'a groups list holding a number',
      '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: [admins, 1]\n',
      'mapRoles line 1: groups must be a list of strings',
    ],
    [
      'broken flow syntax',
      '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: [admins\n',
      'mapRoles line 3',
    ],
  ])('refuses %s', (_, mapRoles, problem) => {
    // Act
    const problems = problemsOf({ mapRoles });

    // Assess
    expect(problems).toEqual([expect.stringContaining(problem)]);
  });

  it.each([
    ['a mapping', 'a: b\n', 'mapAccounts line 1: must be a YAML list of account IDs'],
    [
      'a list holding a mapping',
      '- "444455556666"\n- a: b\n',
      'mapAccounts line 2: each account must be a single value',
    ],
  ])('refuses mapAccounts written as %s', (_, mapAccounts, problem) => {
    // Act
    const problems = problemsOf({ mapAccounts });

    // Assess
    expect(problems).toEqual([problem]);
  });

  it('refuses two user entries whose ARNs differ only in case', () => {
    // Prepare
    const mapUsers = [
      '- userarn: arn:aws:iam::111122223333:user/alice',
      '  username: alice',
      '- userarn: arn:aws:iam::111122223333:user/Alice',
      '  username: alice-again',
    ].join('\n');

    // Act
    const problems = problemsOf({ mapUsers });

    // Assess
    expect(problems).toEqual([
      'mapUsers line 3: arn:aws:iam::111122223333:user/Alice is mapped twice (also at line 1)',
    ]);
  });
});
