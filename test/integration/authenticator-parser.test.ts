import { beforeAll, describe, expect, it } from 'vitest';
import {
  authenticatorBinary,
  authenticatorVersion,
  effectiveWithAuthenticator,
  parseWithAuthenticator,
} from '../support/authenticator';

// These tests check the harness itself against the real aws-iam-authenticator parser. They need Go only
// (no sandbox). Facts asserted here are what the pinned authenticator actually does, not what we wish.

const nodeRole = [
  '- rolearn: arn:aws:iam::111122223333:role/eks-node-group-role',
  '  username: system:node:{{EC2PrivateDNSName}}',
  '  groups:',
  '    - system:bootstrappers',
  '    - system:nodes',
].join('\n');

describe(`aws-iam-authenticator ${authenticatorVersion()} ConfigMap parser`, () => {
  // The first build compiles client-go and friends: minutes on a cold Go build cache.
  beforeAll(() => {
    authenticatorBinary();
  }, 900_000);

  it('reads a path-less role ARN, a user ARN with path and the accounts exactly as written', () => {
    const view = parseWithAuthenticator({
      mapRoles: [
        nodeRole,
        '- rolearn: arn:aws:iam::111122223333:role/PlatformAdmin',
        '  username: platform-admin',
        '  groups: [system:masters]',
      ].join('\n'),
      mapUsers: [
        '- userarn: arn:aws:iam::111122223333:user/engineering/Alice',
        '  username: alice',
        '  groups:',
        '    - developers',
        '    - viewers',
      ].join('\n'),
      mapAccounts: '- "444455556666"\n- 777788889999\n',
    });
    expect(view.roles).toEqual([
      {
        rolearn: 'arn:aws:iam::111122223333:role/eks-node-group-role',
        username: 'system:node:{{EC2PrivateDNSName}}',
        groups: ['system:bootstrappers', 'system:nodes'],
        key: 'arn:aws:iam::111122223333:role/eks-node-group-role',
        validationError: null,
      },
      {
        rolearn: 'arn:aws:iam::111122223333:role/PlatformAdmin',
        username: 'platform-admin',
        groups: ['system:masters'],
        // Role keys are lower-cased; the authenticator matches ARNs case-insensitively.
        key: 'arn:aws:iam::111122223333:role/platformadmin',
        validationError: null,
      },
    ]);
    expect(view.users).toEqual([
      {
        userarn: 'arn:aws:iam::111122223333:user/engineering/Alice',
        username: 'alice',
        groups: ['developers', 'viewers'],
        key: 'arn:aws:iam::111122223333:user/engineering/Alice',
        validationError: null,
      },
    ]);
    // An unquoted account number is still read as the string of its digits.
    expect(view.accounts).toEqual(['444455556666', '777788889999']);
  });

  it('reads field names in any case (rOlEaRn, UserName, USERARN) as the real fields', () => {
    const view = parseWithAuthenticator({
      mapRoles:
        '- rOlEaRn: arn:aws:iam::111122223333:role/Admin\n  UserName: admin\n  GROUPS: [system:masters]\n',
      mapUsers: '- USERARN: arn:aws:iam::111122223333:user/bob\n  UserName: bob\n',
    });
    expect(view.roles).toEqual([
      expect.objectContaining({
        rolearn: 'arn:aws:iam::111122223333:role/Admin',
        username: 'admin',
        groups: ['system:masters'],
      }),
    ]);
    expect(view.users).toEqual([
      expect.objectContaining({
        userarn: 'arn:aws:iam::111122223333:user/bob',
        username: 'bob',
        groups: null,
      }),
    ]);
  });

  it('reads only the exact data key mapRoles: a MapRoles key is silently ignored', () => {
    const view = parseWithAuthenticator({
      MapRoles: '- rolearn: arn:aws:iam::111122223333:role/Admin\n  username: admin\n',
      maproles: '- rolearn: arn:aws:iam::111122223333:role/Admin\n  username: admin\n',
    });
    expect(view).toEqual({ users: [], roles: [], accounts: [] });
  });

  describe('an unquoted username: {{SessionName}} (a YAML map, not a string)', () => {
    const mapRoles = [
      nodeRole,
      '- rolearn: arn:aws:iam::111122223333:role/Developer',
      '  username: {{SessionName}}',
      '  groups: [developers]',
    ].join('\n');
    const mapUsers = '- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n';

    it('makes the parser fail on the whole mapRoles block', () => {
      expect(() => parseWithAuthenticator({ mapRoles, mapUsers })).toThrow(/invalid map key/);
    });

    it('leaves the running authenticator with no role at all (node role included) but the users kept', () => {
      const effective = effectiveWithAuthenticator({ mapRoles, mapUsers });
      expect(effective.error).toMatch(/invalid map key/);
      expect(effective.roles).toEqual([]);
      expect(effective.users.map((u) => u.userarn)).toEqual(['arn:aws:iam::111122223333:user/alice']);
    });

    it('is read literally once quoted', () => {
      const quoted = mapRoles.replace('username: {{SessionName}}', 'username: "{{SessionName}}"');
      const view = parseWithAuthenticator({ mapRoles: quoted });
      expect(view.roles.map((r) => r.username)).toEqual([
        'system:node:{{EC2PrivateDNSName}}',
        '{{SessionName}}',
      ]);
    });
  });

  describe('malformed YAML in mapUsers', () => {
    const data = {
      mapRoles: nodeRole,
      mapUsers:
        '- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n   groups: [developers\n',
    };

    it('is a parse error', () => {
      expect(() => parseWithAuthenticator(data)).toThrow(/error parsing config map: \[yaml: line 3/);
    });

    it('leaves the running authenticator with no user but the roles kept', () => {
      const effective = effectiveWithAuthenticator(data);
      expect(effective.error).toMatch(/yaml: line 3/);
      expect(effective.users).toEqual([]);
      expect(effective.roles.map((r) => r.rolearn)).toEqual([
        'arn:aws:iam::111122223333:role/eks-node-group-role',
      ]);
    });
  });

  it('keeps an entry whose groups is a plain string, but with no groups at all (and reports an error)', () => {
    const mapRoles =
      '- rolearn: arn:aws:iam::111122223333:role/Admin\n  username: admin\n  groups: system:masters\n';
    expect(() => parseWithAuthenticator({ mapRoles })).toThrow(/cannot unmarshal string/);
    const effective = effectiveWithAuthenticator({ mapRoles });
    expect(effective.roles).toEqual([
      expect.objectContaining({
        rolearn: 'arn:aws:iam::111122223333:role/Admin',
        username: 'admin',
        groups: null,
      }),
    ]);
  });

  it('drops an entry that fails validation and keeps the others', () => {
    const mapRoles = `- username: no-arn\n  groups: [x]\n${nodeRole}\n`;
    expect(() => parseWithAuthenticator({ mapRoles })).toThrow(/one of rolearn or SSO must be supplied/);
    const effective = effectiveWithAuthenticator({ mapRoles });
    expect(effective.roles.map((r) => r.username)).toEqual(['system:node:{{EC2PrivateDNSName}}']);
  });
});
