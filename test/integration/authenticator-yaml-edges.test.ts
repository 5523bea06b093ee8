import { beforeAll, describe, expect, it } from 'vitest';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { nextAwsAuth } from '../../src/domain/aws-auth/next-aws-auth';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { AwsAuthParseError } from '../../src/domain/errors';
import {
  authenticatorBinary,
  effectiveWithAuthenticator,
  parseWithAuthenticator,
} from '../support/authenticator';

// The tool must read `%YAML` directives, anchors and merge keys exactly as the pinned aws-iam-authenticator
// (go-yaml v2 through sigs.k8s.io/yaml) does: where it drops a key, the tool refuses to write over it;
// where it reads mappings, the tool reads the same ones.

const role = (name: string, extra = '') =>
  `- rolearn: arn:aws:iam::111122223333:role/${name}\n  username: ${name}\n  groups: [g]\n${extra}`;
const cases: Record<string, string> = {
  'a %YAML 1.2 directive': `%YAML 1.2\n---\n${role('a')}`,
  'a %YAML 1.0 directive': `# nodes\n%YAML 1.0\n---\n${role('a')}`,
  'a %YAML 1.1 directive': `%YAML 1.1\n---\n${role('a')}`,
  'a %TAG directive': `%TAG !e! tag:example.com,2000:\n---\n${role('a')}`,
  'an anchored list of groups': `${role('a').replace('[g]', '&gs [g, h]')}- rolearn: arn:aws:iam::111122223333:role/b\n  username: b\n  groups: *gs\n`,
  'an anchored scalar': '- rolearn: &arn arn:aws:iam::111122223333:role/a\n  username: *arn\n  groups: [g]\n',
  'a merge key': `- &base\n  rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n  groups: [g]\n- <<: *base\n  rolearn: arn:aws:iam::111122223333:role/b\n`,
  'a merge key after the keys it overrides (go-yaml: later wins)': `- &base\n  rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n  groups: [g]\n- rolearn: arn:aws:iam::111122223333:role/b\n  username: b\n  <<: *base\n`,
  'a merge of a list of maps (earlier wins)': `- &x {rolearn: "arn:aws:iam::111122223333:role/x", username: x, groups: [gx]}\n- &y {rolearn: "arn:aws:iam::111122223333:role/y", username: yy, groups: [gy]}\n- <<: [*x, *y]\n  rolearn: arn:aws:iam::111122223333:role/z\n`,
  'a quoted "<<" key (no merge)': `- rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n  "<<": {username: b}\n`,
  'a merge of a scalar': `- &s x\n- rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n  <<: *s\n`,
};

type Mapping = [string, string, string[]];
const sorted = (m: Mapping[]) => [...m].sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));

describe('aws-auth YAML edges, read by the tool and by the authenticator', () => {
  beforeAll(() => {
    authenticatorBinary();
  }, 900_000);

  it.each(Object.entries(cases))('agrees on %s', (_, mapRoles) => {
    // Act
    const theirs = effectiveWithAuthenticator({ mapRoles });
    let ours: Mapping[] | AwsAuthParseError;
    try {
      ours = parseAwsAuth({ mapRoles }).entries.map((e): Mapping => [e.arn, e.username, e.groups]);
    } catch (error) {
      if (!(error instanceof AwsAuthParseError)) throw error;
      ours = error;
    }

    // Assess: a YAML error there drops the key; the tool must then refuse. Otherwise the same mappings.
    const dropped = theirs.error !== undefined && /yaml:|json:|map merge/.test(theirs.error);
    if (dropped) {
      expect(ours).toBeInstanceOf(AwsAuthParseError);
      return;
    }
    // Two entries for one ARN (go-yaml's later-wins merge can make them): the authenticator keeps the
    // later one, the tool refuses to build on an answer that depends on order. Stricter, never different.
    const keys = parseWithAuthenticator({ mapRoles }).roles.map((r) => r.key);
    if (new Set(keys).size < keys.length) {
      expect((ours as AwsAuthParseError).message).toMatch(/is mapped twice/);
      return;
    }
    expect(ours).not.toBeInstanceOf(AwsAuthParseError);
    const read = theirs.roles.map((r): Mapping => [r.rolearn ?? '', r.username, r.groups ?? []]);
    expect(sorted(ours as Mapping[])).toEqual(sorted(read));
  });

  it('refuses to write over mapAccounts behind a %YAML 1.2 directive, which the authenticator drops', () => {
    // Prepare
    const data = { mapAccounts: '%YAML 1.2\n---\n- "444455556666"\n' };

    // Act, Assess
    expect(effectiveWithAuthenticator(data).error).toMatch(/incompatible YAML document/);
    expect(() => parseAwsAuth(data)).toThrow(AwsAuthParseError);
  });

  it('writes next to entries that use anchors and merge keys, and the authenticator reads both as planned', () => {
    // Prepare
    const config = parseAccessConfig(`
clusters: [{ name: prod, region: eu-west-1 }]
roles: [{ roleArn: "arn:aws:iam::111122223333:role/Admin", username: admin, kubernetesGroups: [admins] }]
`);
    const mapRoles = cases['a merge key'] as string;

    // Act
    const next = nextAwsAuth(config, 'prod', { data: { mapRoles }, annotations: {} }, new Map(), {
      force: false,
      now: new Date(0),
    });

    // Assess
    const roles = parseWithAuthenticator(next.data).roles.map((r) => [r.rolearn, r.username, r.groups]);
    expect(roles).toEqual([
      ['arn:aws:iam::111122223333:role/a', 'a', ['g']],
      ['arn:aws:iam::111122223333:role/b', 'a', ['g']],
      ['arn:aws:iam::111122223333:role/Admin', 'admin', ['admins']],
    ]);
  });
});
