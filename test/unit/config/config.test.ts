import { describe, expect, it } from 'vitest';
import { appliesTo } from '../../../src/domain/config/config';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';

/** The issues parseAccessConfig reports, or [] when the config is valid. */
function issuesOf(text: string): { path: string; message: string }[] {
  try {
    parseAccessConfig(text);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues;
  }
}

describe('parseAccessConfig', () => {
  it('reads a full valid config and fills in the defaults', () => {
    // Prepare
    const text = `
clusters:
  - name: prod-east
    region: us-east-1
    roleArn: arn:aws:iam::222233334444:role/eks-access-sync
    externalId: a-shared-secret
  - name: dev
    region: eu-west-1
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [system:masters]
    allowSystemMasters: true
    clusters: [prod-east]
  - iamGroup: eks-readers
    kubernetesGroups: [cluster-reader]
roles:
  - roleArn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123
    username: "sso-dev:{{SessionName}}"
    kubernetesGroups: [developers]
  - roleArn: arn:aws:iam::111122223333:role/ci-deployer
    username: ci
`;

    // Act
    const config = parseAccessConfig(text);

    // Assess
    expect(config.settings).toEqual({
      adoptUnownedEntries: false,
      maxRemovalShare: 0.5,
      onDrift: 'report',
      removalWindow: '24h',
    });
    expect(config.clusters).toEqual([
      {
        name: 'prod-east',
        region: 'us-east-1',
        roleArn: 'arn:aws:iam::222233334444:role/eks-access-sync',
        externalId: 'a-shared-secret',
        backend: 'configMap',
      },
      { name: 'dev', region: 'eu-west-1', backend: 'configMap' },
    ]);
    expect(config.groups).toEqual([
      {
        iamGroup: 'eks-admins',
        kubernetesGroups: ['system:masters'],
        allowSystemMasters: true,
        clusters: ['prod-east'],
      },
      { iamGroup: 'eks-readers', kubernetesGroups: ['cluster-reader'], allowSystemMasters: false },
    ]);
    expect(config.roles).toEqual([
      {
        roleArn:
          'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123',
        username: 'sso-dev:{{SessionName}}',
        kubernetesGroups: ['developers'],
        allowSystemMasters: false,
      },
      {
        roleArn: 'arn:aws:iam::111122223333:role/ci-deployer',
        username: 'ci',
        kubernetesGroups: [],
        allowSystemMasters: false,
      },
    ]);
    expect(config.groups.map((g) => ['prod-east', 'dev'].filter((c) => appliesTo(g, c)))).toEqual([
      ['prod-east'],
      ['prod-east', 'dev'],
    ]);
  });

  it('reports every problem at once, each with its path and line', () => {
    // Prepare
    const text = `clusters:
  - name: prod-east
    region: us-east-1
  - name: prod-west
    region: us-west
  - name: prod-east
    region: eu-west-1
    colour: blue
groups:
  - iamGroup: eks-admins
    kubernetesGroups: [system:masters]
    clusters: [prod-east, staging]
  - iamGroup: eks-nodes
    kubernetesGroups: [system:nodes]
roles:
  - roleArn: arn:aws:sts::111122223333:assumed-role/PlatformAdmin/alice
    username: platform-admin
  - roleArn: arn:aws:iam::111122223333:role/ci/Deployer
    username: ci
  - roleArn: arn:aws:iam::111122223333:role/Deployer
    username: ci-again
`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'clusters[1].region (line 5)', message: 'not an AWS region such as us-east-1' },
        { path: 'clusters[2].name (line 6)', message: 'cluster prod-east is listed twice' },
        { path: 'clusters[2].colour (line 8)', message: 'unknown key "colour"' },
        { path: 'groups[0].clusters[1] (line 12)', message: 'no cluster named staging in clusters' },
        {
          path: 'groups[0].kubernetesGroups[0] (line 11)',
          message: 'system:masters grants unrevocable cluster-admin; set allowSystemMasters: true to mean it',
        },
        {
          path: 'groups[1].kubernetesGroups[0] (line 14)',
          message:
            'system:nodes is reserved for Kubernetes components and EKS (prefix system:); map people and roles to your own groups; refused whatever the flags',
        },
        {
          path: 'roles[0].roleArn (line 16)',
          message:
            "arn:aws:sts::111122223333:assumed-role/PlatformAdmin/alice is an STS session ARN; use the role's IAM ARN instead (arn:aws:iam::111122223333:role/PlatformAdmin)",
        },
        { path: 'roles[2].roleArn (line 20)', message: 'role Deployer is mapped twice' },
      ]),
    );
    expect(issues).toHaveLength(8);
  });

  it('names the file and lists the problems in its message', () => {
    // Act
    const parse = () => parseAccessConfig('clusters: []\nextra: 1\n', 'config/access.yaml');

    // Assess
    expect(parse).toThrow(InvalidConfigError);
    expect(parse).toThrow(/^config\/access\.yaml is invalid:\n {2}/);
  });

  it.each([
    [
      'system:masters without allowSystemMasters on a role',
      'roles: [{ roleArn: "arn:aws:iam::111122223333:role/Admin", username: admin, kubernetesGroups: [system:masters] }]',
      'roles[0].kubernetesGroups[0] (line 2)',
      /set allowSystemMasters: true to mean it/,
    ],
    [
      'system:bootstrappers',
      'groups: [{ iamGroup: ops, kubernetesGroups: [system:bootstrappers], allowSystemMasters: true }]',
      'groups[0].kubernetesGroups[0] (line 2)',
      /system:bootstrappers is reserved for Kubernetes components/,
    ],
    [
      'an IAM group mapped twice, whatever its case',
      'groups: [{ iamGroup: Ops, kubernetesGroups: [ops] }, { iamGroup: ops, kubernetesGroups: [ops] }]',
      'groups[1].iamGroup (line 2)',
      /ops is mapped twice/,
    ],
    [
      'a user ARN where a role is needed',
      'roles: [{ roleArn: "arn:aws:iam::111122223333:user/alice", username: alice }]',
      'roles[0].roleArn (line 2)',
      /is an IAM user ARN where a role ARN is needed/,
    ],
    [
      'a Kubernetes group with a space',
      'groups: [{ iamGroup: ops, kubernetesGroups: ["platform admins"] }]',
      'groups[0].kubernetesGroups[0] (line 2)',
      /a Kubernetes group has no spaces/,
    ],
    [
      'a maxRemovalShare above 1',
      'settings: { maxRemovalShare: 2 }',
      'settings.maxRemovalShare (line 2)',
      /1/,
    ],
  ])('refuses %s', (_, extra, path, message) => {
    // Prepare
    const text = `clusters: [{ name: prod, region: eu-west-1 }]\n${extra}\n`;

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('reports schema and policy problems together, each with its path and line, in one run', () => {
    // Prepare: a bad region, an unknown key and a misspelt field, and system:masters without allowSystemMasters.
    const text = [
      'clusters: [{ name: prod, region: nowhere }]',
      'colour: blue',
      'groups:',
      '  - { iamGroup: ops, kubernetesGroups: [system:masters] }',
      '  - { iamGroup: devs, kubernetesGroup: [developers] }',
      'roles:',
      '  - { roleArn: "arn:aws:iam::111122223333:role/Admin", username: admin, kubernetesGroups: [system:nodes] }',
      '',
    ].join('\n');

    // Act
    const issues = issuesOf(text);

    // Assess
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'colour (line 2)',
        'clusters[0].region (line 1)',
        'groups[0].kubernetesGroups[0] (line 4)',
        'groups[1].kubernetesGroup (line 5)',
        'groups[1].kubernetesGroups (line 5)',
        'roles[0].kubernetesGroups[0] (line 7)',
      ].sort(),
    );
    expect(issues.find((i) => i.path.startsWith('groups[0]'))?.message).toMatch(
      /set allowSystemMasters: true/,
    );
    expect(issues.find((i) => i.path.startsWith('roles[0]'))?.message).toMatch(/system:nodes is reserved/);
  });

  it('reports a YAML syntax error with its line', () => {
    // Act
    const issues = issuesOf('clusters:\n  - name: prod\n    region: [eu-west-1\n');

    // Assess
    expect(issues).toEqual([{ path: expect.stringMatching(/^line \d+$/), message: expect.any(String) }]);
  });

  it('needs a cluster to manage: listed, or found by a bootstrap selector', () => {
    // Act
    const none = issuesOf('');
    const empty = issuesOf('clusters: []\n');

    // Assess
    const issue = { path: 'clusters', message: expect.stringContaining('no cluster to manage') };
    expect(none).toEqual([issue]);
    expect(empty).toEqual([{ ...issue, path: 'clusters (line 1)' }]);
  });

  it('accepts an empty clusters list when bootstrap selectors find the clusters', () => {
    // Act
    const config = parseAccessConfig('clusters: []\nbootstrap:\n  selectors: [{namePattern: team-*}]\n');

    // Assess
    expect(config.clusters).toEqual([]);
    expect(config.bootstrap?.selectors).toHaveLength(1);
  });
});
