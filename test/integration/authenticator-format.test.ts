import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { arnKey } from '../../src/domain/arn';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { encodeAwsAuth } from '../../src/domain/aws-auth/aws-auth-edit';
import { desiredEntries, type GroupMembers } from '../../src/domain/aws-auth/desired-state';
import { emptyOwnership } from '../../src/domain/aws-auth/ownership';
import { planAwsAuth } from '../../src/domain/aws-auth/plan';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import {
  type AuthenticatorView,
  authenticatorBinary,
  authenticatorVersion,
  effectiveWithAuthenticator,
  parseWithAuthenticator,
} from '../support/authenticator';
import { loadAwsAuthFixture } from '../unit/aws-auth/aws-auth-configmap';

// What eks-access-sync writes, read by the real aws-iam-authenticator parser (ParseMap). Needs Go, not the
// sandbox. Invariant 2 (docs/invariants.md): the authenticator reads exactly the mappings we intend, nothing more, nothing less.

// The config these tests stand for maps admins to system:masters with allowSystemMasters.
const planOptions = {
  adoptUnownedEntries: false,
  maxRemovalShare: 0.5,
  force: false,
  allowSystemMasters: true,
};

const config = parseAccessConfig(`
clusters:
  - name: prod
    region: eu-west-1
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [system:masters]
    allowSystemMasters: true
  - iamGroup: eks-developers
    kubernetesGroups: [viewers, developers]
  - iamGroup: eks-readers
    kubernetesGroups: [viewers]
roles:
  - roleArn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123456789abcdef
    username: "sso-dev:{{SessionName}}"
    kubernetesGroups: [developers]
  - roleArn: arn:aws:iam::444455556666:role/ci/Deployer
    username: "ci:{{AccountID}}:{{SessionName}}"
    kubernetesGroups: [deployers]
`);

/** IAM group members; a member written `path/name` gets that path in its ARN. */
function members(groups: Record<string, string[]>): GroupMembers {
  return new Map(
    Object.entries(groups).map(([group, users]) => [
      group,
      users.map((user) => ({
        userName: user.split('/').at(-1) ?? user,
        arn: `arn:aws:iam::111122223333:user/${user}`,
      })),
    ]),
  );
}

/** Plans from scratch ownership and encodes: what a sync would write. */
function write(data: Record<string, string>, groups: Record<string, string[]>): Record<string, string> {
  const plan = planAwsAuth(
    parseAwsAuth(data),
    emptyOwnership(),
    desiredEntries(config, 'prod', members(groups)),
    planOptions,
  );
  return encodeAwsAuth(data, plan);
}

/** The authenticator's view reduced to what grants access, in a stable order. */
function grants(view: AuthenticatorView) {
  const sorted = <T>(list: T[]) => list.map((x) => JSON.stringify(x)).sort();
  return {
    roles: sorted(view.roles.map((r) => [r.rolearn ?? r.key, r.username, r.groups ?? []])),
    users: sorted(view.users.map((u) => [u.userarn, u.username, u.groups ?? []])),
    accounts: [...view.accounts].sort(),
    invalid: [...view.roles, ...view.users].filter((m) => m.validationError !== null),
  };
}

describe(`what eks-access-sync writes, read by aws-iam-authenticator ${authenticatorVersion()}`, () => {
  // The first build compiles client-go and friends: minutes on a cold Go build cache.
  beforeAll(() => {
    authenticatorBinary();
  }, 900_000);

  it('holds exactly the intended mappings next to the node, Fargate and Windows roles and mapAccounts', () => {
    // Prepare
    const current = loadAwsAuthFixture('node-fargate-windows-roles.yaml').data;
    current.mapAccounts = '- "777788889999"\n- 999988887777\n';
    const groups = {
      'eks-admins': ['engineering/platform/alice'],
      'eks-developers': ['engineering/platform/alice', 'contractors/bob', 'carol'],
      'eks-readers': ['carol', 'yes', '0x1f', 'null'],
    };

    // Act
    const next = write(current, groups);
    const view = parseWithAuthenticator(next);

    // Assess
    const before = grants(parseWithAuthenticator(current));
    const intended = [
      [
        'arn:aws:iam::111122223333:role/AWSReservedSSO_Dev_0123456789abcdef',
        'sso-dev:{{SessionName}}',
        ['developers'],
      ],
      ['arn:aws:iam::444455556666:role/Deployer', 'ci:{{AccountID}}:{{SessionName}}', ['deployers']],
    ];
    const intendedUsers = [
      [
        'arn:aws:iam::111122223333:user/engineering/platform/alice',
        'alice',
        ['developers', 'system:masters', 'viewers'],
      ],
      ['arn:aws:iam::111122223333:user/contractors/bob', 'bob', ['developers', 'viewers']],
      ['arn:aws:iam::111122223333:user/carol', 'carol', ['developers', 'viewers']],
      ['arn:aws:iam::111122223333:user/yes', 'yes', ['viewers']],
      ['arn:aws:iam::111122223333:user/0x1f', '0x1f', ['viewers']],
      ['arn:aws:iam::111122223333:user/null', 'null', ['viewers']],
    ];
    expect(grants(view)).toEqual({
      roles: [...before.roles, ...intended.map((r) => JSON.stringify(r))].sort(),
      users: [...before.users, ...intendedUsers.map((u) => JSON.stringify(u))].sort(),
      accounts: ['777788889999', '999988887777'],
      invalid: [],
    });
    expect(view.roles).toHaveLength(5);
    expect(view.users).toHaveLength(7);
    expect(view.roles.map((r) => r.rolearn)).not.toContain(
      'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123456789abcdef',
    );
    expect(effectiveWithAuthenticator(next).error).toBeUndefined();
  });

  it('keeps hand-written entries readable: comments, an SSO matcher, escaped control characters', () => {
    // Prepare: one owned role first (so the hand-written ones move up), then entries a person wrote.
    const data = {
      mapRoles: [
        '- rolearn: "arn:aws:iam::111122223333:role/Deployer"',
        '  username: "old"',
        '  groups: []',
        '# SSO viewers, added by hand',
        '- sso:',
        '    permissionSetName: ViewOnly',
        '    accountID: "111122223333"',
        '  username: sso-viewer:{{SessionName}}',
        '  groups: [viewers]',
        '- rolearn: arn:aws:iam::111122223333:role/odd',
        '  username: "tab\\there, del\\u007f, c1\\x85\\x9f, nonchar\\uFFFE"',
        '  groups:',
        '    - >-',
        '      folded',
        '      group',
        '',
      ].join('\n'),
    };
    const owned = emptyOwnership();
    owned.mapRoles.set(arnKey('arn:aws:iam::111122223333:role/Deployer'), undefined);
    const desired = [
      {
        section: 'mapRoles' as const,
        arn: 'arn:aws:iam::111122223333:role/Deployer',
        key: arnKey('arn:aws:iam::111122223333:role/Deployer'),
        username: 'deployer',
        groups: ['deployers'],
        sources: [],
      },
    ];

    // Act
    const next = encodeAwsAuth(data, planAwsAuth(parseAwsAuth(data), owned, desired, planOptions));

    // Assess
    expect(effectiveWithAuthenticator(data).error).toBeUndefined();
    const before = grants(parseWithAuthenticator(data));
    const after = grants(parseWithAuthenticator(next));
    expect(after.roles).toEqual(
      [
        ...before.roles.filter((r) => !r.includes('role/Deployer')),
        JSON.stringify(['arn:aws:iam::111122223333:role/Deployer', 'deployer', ['deployers']]),
      ].sort(),
    );
    expect(after.roles).toContain(
      JSON.stringify([
        'arn:aws:iam::111122223333:role/odd',
        'tab\there, del\u007f, c1\u0085\u009f, nonchar\ufffe',
        ['folded group'],
      ]),
    );
  });

  it.each([
    'yes',
    'Off',
    'n',
    '0x1f',
    '0o17',
    '-_1',
    '0_x1f',
    '1_000',
    '1e3',
    '.5',
    '.inf',
    '~',
    'null',
    '2001-12-14',
    '2001-12-14 21:59:43.10 -5',
    '1:30',
    'yES',
    '0b2',
    '_1',
    '<<',
    '=',
    'system:node:{{EC2PrivateDNSName}}',
  ])('reads the unquoted username %s as the authenticator does, or refuses it', (username) => {
    // Prepare
    const data = { mapUsers: `- userarn: arn:aws:iam::111122223333:user/a\n  username: ${username}\n` };

    // Act
    let ours: string | undefined;
    try {
      ours = parseAwsAuth(data).entries[0]?.username;
    } catch {
      ours = undefined; // refused: never written over
    }

    // Assess: what we accept, the authenticator reads the same way, without an error.
    if (ours !== undefined) expect(parseWithAuthenticator(data).users[0]?.username).toBe(ours);
  });

  describe('any username and groups, however YAML-hostile', () => {
    const hostile = fc.oneof(
      fc.constantFrom(
        '{{SessionName}}',
        'sso:{{SessionName}}',
        'yes',
        'on',
        'No',
        'null',
        '~',
        '0x1f',
        '0o17',
        '1e3',
        '2001-12-14',
        ': ',
        'a: b',
        '- a',
        '#',
        ' # comment',
        '"',
        "'",
        '\\',
        '&anchor',
        '*alias',
        '!tag',
        '%directive',
        '@at',
        '`tick',
        '[a, b]',
        '{a: b}',
        '|',
        '>',
        '---',
        '...',
        'ünïcödé ✓ 😀',
        '\u007f\u0085\u009f\u2028\ufeff\ufffe\uffff',
        '\t\n\r\0',
        '',
      ),
      fc.string({ unit: 'binary', maxLength: 16 }),
      fc.string({ unit: 'grapheme', maxLength: 16 }),
    );

    it('is read back by the authenticator exactly as meant', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ username: hostile, groups: fc.array(hostile, { maxLength: 3 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
          (mappings) => {
            // Prepare: several roles per document, so one run of the Go parser checks them all.
            const desired = mappings.map(({ username, groups }, i) => {
              const arn = `arn:aws:iam::111122223333:role/r${i}`;
              const sortedGroups = [...new Set(groups)].sort();
              return {
                section: 'mapRoles' as const,
                arn,
                key: arn,
                username,
                groups: sortedGroups,
                sources: [],
              };
            });

            // Act
            const next = encodeAwsAuth(
              {},
              planAwsAuth(parseAwsAuth({}), emptyOwnership(), desired, planOptions),
            );
            const view = parseWithAuthenticator(next);

            // Assess
            expect(view.roles.map((r) => [r.rolearn, r.username, r.groups ?? []])).toEqual(
              desired.map((d) => [d.arn, d.username, d.groups]),
            );
          },
        ),
        { numRuns: 50 },
      );
    });
  });
});
