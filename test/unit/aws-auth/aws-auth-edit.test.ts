import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arnKey } from '../../../src/domain/arn';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { EncodingMismatchError, encodeAwsAuth } from '../../../src/domain/aws-auth/aws-auth-edit';
import type { DesiredEntry } from '../../../src/domain/aws-auth/desired-state';
import { entryDigest } from '../../../src/domain/aws-auth/ownership';
import { applyPlan, loadAwsAuthFixture, mappings } from './aws-auth-configmap';

const account = '111122223333';

/** Text that YAML 1.1 reads as something else when unquoted, or that go-yaml refuses when raw. */
const hostileText = fc.oneof(
  fc.constantFrom(
    '{{SessionName}}',
    'yes',
    'on',
    'null',
    '~',
    '0x1f',
    '0o17',
    '1_000',
    '2001-12-14',
    '- a',
    ': ',
    ' #',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);

function user(name: string, groups: string[], username = name): DesiredEntry {
  const arn = `arn:aws:iam::${account}:user/${name}`;
  return { section: 'mapUsers', arn, key: arnKey(arn), username, groups, sources: [] };
}

function role(name: string, groups: string[], username: string): DesiredEntry {
  const arn = `arn:aws:iam::${account}:role/${name}`;
  return { section: 'mapRoles', arn, key: arnKey(arn), username, groups, sources: [] };
}

describe('encodeAwsAuth', () => {
  it('keeps the unowned entries first, in their order, with their comments', () => {
    // Prepare
    const current = loadAwsAuthFixture('node-fargate-windows-roles.yaml');

    // Act
    const { next } = applyPlan(current, [user('alice', ['developers']), role('Admin', ['admins'], 'admin')]);

    // Assess
    const mapRoles = next.data.mapRoles ?? '';
    const positions = ['# managed node group', '# Fargate profile', '# Windows node group'].map((c) =>
      mapRoles.indexOf(c),
    );
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(next.data.mapUsers).toContain('# kept for emergencies');
    expect(mappings(next.data)).toEqual([
      ...mappings(current.data).filter(([section]) => section === 'mapRoles'),
      ['mapRoles', 'arn:aws:iam::111122223333:role/Admin', 'admin', ['admins']],
      ...mappings(current.data).filter(([section]) => section === 'mapUsers'),
      ['mapUsers', 'arn:aws:iam::111122223333:user/alice', 'alice', ['developers']],
    ]);
  });

  it('writes owned entries sorted by ARN key, every string double-quoted', () => {
    // Prepare
    const current = { data: {}, annotations: {} };

    // Act
    const { next } = applyPlan(current, [
      user('zed', ['viewers']),
      user('Bob', ['developers', 'viewers']),
      user('alice', []),
    ]);

    // Assess
    expect(next.data).toEqual({
      mapUsers: [
        '- userarn: "arn:aws:iam::111122223333:user/alice"',
        '  username: "alice"',
        '  groups: []',
        '- userarn: "arn:aws:iam::111122223333:user/Bob"',
        '  username: "Bob"',
        '  groups:',
        '    - "developers"',
        '    - "viewers"',
        '- userarn: "arn:aws:iam::111122223333:user/zed"',
        '  username: "zed"',
        '  groups:',
        '    - "viewers"',
        '',
      ].join('\n'),
    });
  });

  it.each([
    ['{{SessionName}}', '"{{SessionName}}"'],
    ['sso-dev:{{SessionName}}', '"sso-dev:{{SessionName}}"'],
    ['yes', '"yes"'],
    ['0x1f', '"0x1f"'],
    ['it says "hi"', String.raw`"it says \"hi\""`],
    ['a\u007fb\u0085c', String.raw`"a\u007fb\u0085c"`],
  ])('writes the username %j quoted as %s', (username, written) => {
    // Act
    const { next } = applyPlan({ data: {}, annotations: {} }, [role('Developer', ['developers'], username)]);

    // Assess
    expect(next.data.mapRoles).toContain(`  username: ${written}\n`);
    expect(mappings(next.data)[0]?.[2]).toBe(username);
  });

  it('refuses a username holding a lone UTF-16 surrogate, which no YAML can carry', () => {
    // Act
    const encode = () => applyPlan({ data: {}, annotations: {} }, [role('Developer', [], 'bad\ud800name')]);

    // Assess
    expect(encode).toThrow(EncodingMismatchError);
  });

  it('writes [] when the last entry of a key goes', () => {
    // Prepare
    const current = applyPlan({ data: {}, annotations: {} }, [user('alice', ['developers'])]).next;

    // Act
    const { next } = applyPlan(current, []);

    // Assess
    expect(next.data).toEqual({ mapUsers: '[]\n' });
    expect(parseAwsAuth(next.data).entries).toEqual([]);
  });

  it('adds no key it has nothing to write to', () => {
    // Prepare
    const current = loadAwsAuthFixture('map-accounts.yaml');

    // Act
    const { next } = applyPlan(current, [user('bob', ['viewers'])]);

    // Assess
    expect(Object.keys(next.data).sort()).toEqual(['mapAccounts', 'mapUsers']);
  });

  it.each(['unknown-data-keys.yaml', 'map-accounts.yaml'])(
    'keeps every other data key of %s byte for byte',
    (scenario) => {
      // Prepare
      const current = loadAwsAuthFixture(scenario);

      // Act
      const { next } = applyPlan(current, [user('bob', ['viewers']), role('Admin', ['admins'], 'admin')]);

      // Assess
      for (const [key, value] of Object.entries(current.data)) {
        if (key !== 'mapRoles' && key !== 'mapUsers') expect(next.data[key]).toBe(value);
      }
      expect(next.data.mapAccounts).toBe(current.data.mapAccounts);
    },
  );

  it('keeps an SSO entry without rolearn that follows an owned entry', () => {
    // Prepare: the tool wrote Admin, then someone appended an SSO matcher by hand.
    const first = applyPlan({ data: {}, annotations: {} }, [role('Admin', ['admins'], 'admin')]).next;
    const sso = loadAwsAuthFixture('sso-entry-without-rolearn.yaml').data.mapRoles ?? '';
    const current = { ...first, data: { mapRoles: `${first.data.mapRoles}${sso}` } };

    // Act
    const { next } = applyPlan(current, [role('Admin', ['admins', 'viewers'], 'admin')]);

    // Assess
    expect(mappings(next.data).map(([, arn, username]) => [arn, username])).toEqual([
      ['arn:aws:iam::111122223333:role/eks-node-group-role', 'system:node:{{EC2PrivateDNSName}}'],
      ['', 'sso-viewer:{{SessionName}}'],
      ['arn:aws:iam::111122223333:role/Admin', 'admin'],
    ]);
  });

  it('appends owned entries to a key that ends with a YAML document end marker', () => {
    // Prepare
    const current = {
      data: {
        mapUsers: '- userarn: arn:aws:iam::111122223333:user/break-glass\n  username: break-glass\n...\n',
      },
      annotations: {},
    };

    // Act
    const { next } = applyPlan(current, [user('alice', ['developers'])]);

    // Assess
    expect(mappings(next.data).map(([, arn]) => arn)).toEqual([
      'arn:aws:iam::111122223333:user/break-glass',
      'arn:aws:iam::111122223333:user/alice',
    ]);
  });

  it('reads back exactly what it wrote for any username and groups', () => {
    fc.assert(
      fc.property(hostileText, fc.array(hostileText, { maxLength: 3 }), (username, groups) => {
        // Prepare
        const wanted = role('Developer', [...new Set(groups)].sort(), username);

        // Act
        const data = encodeAwsAuth(
          {},
          {
            drifted: [],
            owned: { mapRoles: new Map([[wanted.key, entryDigest(wanted)]]), mapUsers: new Map() },
            result: [{ ...wanted, line: 0, index: -1 }],
          },
        );

        // Assess
        expect(mappings(data)).toEqual([['mapRoles', wanted.arn, wanted.username, wanted.groups]]);
      }),
      { numRuns: 300 },
    );
  });
});
