import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'render-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const config = file(
  'access.yaml',
  `clusters: [{name: prod, region: eu-west-1}]
groups:
  - {iamGroup: admins, kubernetesGroups: [system:masters], allowSystemMasters: true}
  - {iamGroup: devs, kubernetesGroups: [developers]}
roles:
  - roleArn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123
    username: "sso:{{SessionName}}"
    kubernetesGroups: [developers]
`,
);
const user = (name: string) => ({ UserName: name, Arn: `arn:aws:iam::111122223333:user/${name}` });
const iam = file('iam.json', JSON.stringify({ admins: [user('ann')], devs: [user('ann'), user('bo')] }));
const current = file(
  'aws-auth.yaml',
  `apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/node
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
`,
);

function cli(...args: string[]) {
  const result = spawnSync(
    resolve(root, 'node_modules/.bin/node'),
    [resolve(root, 'bin/eks-access-sync.mjs'), ...args],
    {
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('eks-access-sync render (offline, for pull requests)', () => {
  it('prints the complete next aws-auth on stdout and the diff on stderr', () => {
    const out = cli('render', '--config', config, '--cluster', 'prod', '--iam', iam, '--current', current);

    expect(out.code).toBe(0);
    const cm = parse(out.stdout) as { data: Record<string, string> };
    const entries = parseAwsAuth(cm.data).entries;
    expect(entries.map((e) => e.arn)).toEqual([
      'arn:aws:iam::111122223333:role/node',
      'arn:aws:iam::111122223333:role/AWSReservedSSO_Dev_0123',
      'arn:aws:iam::111122223333:user/ann',
      'arn:aws:iam::111122223333:user/bo',
    ]);
    expect(entries.find((e) => e.arn.endsWith('user/ann'))?.groups).toEqual(['developers', 'system:masters']);
    expect(out.stderr).toContain('+ mapUsers arn:aws:iam::111122223333:user/bo');
  });

  it('exits 2 on an invalid config and names the problem', () => {
    const bad = file('bad.yaml', 'clusters: [{name: prod, region: nowhere}]\n');
    const out = cli('render', '--config', bad, '--cluster', 'prod', '--iam', iam);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/clusters\[0\]\.region \(line 1\): not an AWS region/);
    expect(out.stdout).toBe('');
  });

  it('exits 2 when iam.json lacks a mapped group, instead of reading it as empty', () => {
    const partial = file('partial.json', JSON.stringify({ admins: [user('ann')] }));
    const out = cli('render', '--config', config, '--cluster', 'prod', '--iam', partial);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('does not list the IAM groups devs');
  });

  it('exits 2 on a config mapping a permission set, which only a live run can resolve, printing no ConfigMap', () => {
    const sso = file(
      'sso.yaml',
      `clusters: [{name: prod, region: eu-west-1}]
roles:
  - {permissionSet: Developer, username: 'sso:{{SessionName}}', kubernetesGroups: [developers]}
`,
    );
    const out = cli('render', '--config', sso, '--cluster', 'prod', '--iam', iam, '--current', current);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('maps the permission sets Developer on prod');
    expect(out.stdout).toBe('');
  });

  it('exits 2 on an unknown argument', () => {
    expect(cli('render', '--bogus').code).toBe(2);
  });

  it('exits 3 and prints no ConfigMap when the current aws-auth does not parse', () => {
    const broken = file(
      'broken.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: x\n     username: y\n',
    );
    const out = cli('render', '--config', config, '--cluster', 'prod', '--iam', iam, '--current', broken);
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(/mapRoles line 2/);
    expect(out.stdout).toBe('');
  });

  it('exits 3 on a mass removal unless forced', () => {
    const three = file(
      'three.json',
      JSON.stringify({ admins: [user('ann')], devs: [user('bo'), user('cy')] }),
    );
    const first = cli(
      'render',
      '--config',
      config,
      '--cluster',
      'prod',
      '--iam',
      three,
      '--current',
      current,
    );
    const synced = file('synced.yaml', first.stdout);
    const empty = file('empty.json', JSON.stringify({ admins: [], devs: [] }));
    const refused = cli(
      'render',
      '--config',
      config,
      '--cluster',
      'prod',
      '--iam',
      empty,
      '--current',
      synced,
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('refused: would remove 3 of the 4 entries this tool owns');
    expect(refused.stdout).toBe('');
    const forced = cli(
      'render',
      '--config',
      config,
      '--cluster',
      'prod',
      '--iam',
      empty,
      '--current',
      synced,
      '--force',
    );
    expect(forced.code).toBe(0);
  });

  describe('--current', () => {
    const render = (currentFile: string, configFile = config) =>
      cli('render', '--config', configFile, '--cluster', 'prod', '--iam', iam, '--current', currentFile);

    it.each([
      [
        'a List',
        'apiVersion: v1\nkind: List\nitems: []\n',
        /is v1 List undefined\/undefined, not the v1 ConfigMap kube-system\/aws-auth/,
      ],
      [
        'a Secret',
        'apiVersion: v1\nkind: Secret\nmetadata: {name: aws-auth, namespace: kube-system}\n',
        /is v1 Secret kube-system\/aws-auth, not/,
      ],
      ['an empty mapping', '{}\n', /is not a Kubernetes object \(no kind\), not the v1 ConfigMap/],
      [
        'another ConfigMap',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: default}\n',
        /is v1 ConfigMap default\/aws-auth, not/,
      ],
      [
        'a ConfigMap with a list as data',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: [a]\n',
        /data\.mapRoles: .*every value must be a string/,
      ],
    ])('exits 2 on %s and prints nothing', (_, text, message) => {
      const out = render(file('not-aws-auth.yaml', text));
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(message);
      expect(out.stdout).toBe('');
    });

    it('keeps labels, annotations not its own, binaryData, resourceVersion, other data keys and an untouched section byte for byte', () => {
      // Prepare: only IAM groups mapped, so mapRoles is not the tool's business.
      const groupsOnly = file(
        'groups-only.yaml',
        'clusters: [{name: prod, region: eu-west-1}]\ngroups: [{iamGroup: devs, kubernetesGroups: [developers]}]\n',
      );
      const mapRoles = [
        '# node groups: do not touch',
        '- rolearn:   arn:aws:iam::111122223333:role/node   # managed',
        '  username: system:node:{{EC2PrivateDNSName}}',
        '  groups: [ system:bootstrappers,   system:nodes ]',
        '',
      ].join('\n');
      const full = file(
        'full.yaml',
        `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
  resourceVersion: "4711"
  uid: 0b7c1a9e-0000-4000-8000-000000000001
  labels: {app.kubernetes.io/managed-by: eksctl}
  annotations: {team: platform}
data:
  mapRoles: ${JSON.stringify(mapRoles)}
  notes: kept as it is
binaryData:
  blob: AAEC
`,
      );

      // Act
      const out = render(full, groupsOnly);

      // Assess
      expect(out.code).toBe(0);
      const cm = parse(out.stdout);
      expect(cm.metadata).toMatchObject({
        name: 'aws-auth',
        namespace: 'kube-system',
        resourceVersion: '4711',
        uid: '0b7c1a9e-0000-4000-8000-000000000001',
        labels: { 'app.kubernetes.io/managed-by': 'eksctl' },
        annotations: { team: 'platform' },
      });
      expect(cm.binaryData).toEqual({ blob: 'AAEC' });
      expect(cm.data.notes).toBe('kept as it is');
      expect(cm.data.mapRoles).toBe(mapRoles);
      expect(parseAwsAuth(cm.data).entries.map((e) => e.arn)).toContain('arn:aws:iam::111122223333:user/bo');
    });
  });
});
