// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders, not JavaScript templates
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The IAM roles serverless/iam.cjs generates from hostile access configs, asked of the generator
 * itself (what `serverless package` calls): a config never widens a grant beyond the names it
 * says. Configs the schema would refuse are given too, since the generator reads plain YAML.
 */
const generate = createRequire(import.meta.url)('../../serverless/iam.cjs') as (options: {
  resolveVariable: (name: string) => Promise<string>;
}) => Promise<{
  Resources: Record<string, { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }>;
}>;

interface Statement {
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, Record<string, unknown>>;
}

const dir = mkdtempSync(join(tmpdir(), 'iam-hostile-'));
const key = 'arn:aws:kms:eu-west-1:111122223333:key/0123abcd-0123-4567-89ab-0123456789ab';

async function rolesFor(yaml: string, kmsKey = '') {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const variables: Record<string, string> = {
    'param:accessConfig': file,
    'self:service': 'eks-access-sync',
    'sls:stage': 'hostile',
    'self:provider.region': 'eu-west-1',
    'param:secretsKmsKeyArn': kmsKey,
  };
  const template = await generate({ resolveVariable: async (name) => variables[name] ?? '' });
  return Object.fromEntries(
    Object.entries(template.Resources).map(([id, role]) => [
      id,
      role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement),
    ]),
  );
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const granting = (statements: Statement[], action: string) =>
  statements.filter((s) => s.Action.includes(action));
const clusters = 'clusters: [{ name: prod, region: eu-west-1, backend: accessEntries }]\n';

describe('IAM generated from hostile configs never widens (issue 16)', () => {
  it.each([
    [
      'a secretName of {cluster}/{name} under a tags-only selector',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view, secretName: "{cluster}/{name}" }]\nbootstrap: { selectors: [{ tags: { team: a } }] }\n`,
      /externalUsers\[0\]\.secretName: \{cluster\} on the clusters bootstrap\.selectors\[0\] matches by tags alone could be any name/,
    ],
    [
      '{account} in a role name',
      `${clusters}bootstrap: { selectors: [{ namePattern: team-*, accounts: ["111122223333"], roleArn: "arn:aws:iam::{account}:role/{account}" }] }\n`,
      /bootstrap\.selectors\[0\]\.roleArn: "arn:aws:iam::111122223333:role\/\{account\}" is not an IAM role ARN/,
    ],
    [
      '{account} without the selector accounts',
      `${clusters}bootstrap: { selectors: [{ namePattern: team-*, roleArn: "arn:aws:iam::{account}:role/eks-access-sync" }] }\n`,
      /\{account\} without the selector's accounts would name that role in every account/,
    ],
    [
      'a wildcard IAM group',
      `${clusters}groups: [{ iamGroup: "*", kubernetesGroups: [ops] }]\n`,
      /groups\[0\]\.iamGroup: "\*" is not an IAM name/,
    ],
    [
      'a wildcard cluster',
      'clusters: [{ name: "*", region: eu-west-1 }]\n',
      /clusters\[0\]\.name: "\*" is not an EKS cluster name/,
    ],
    [
      'readers without the stage customer-managed key',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view, readers: ["arn:aws:iam::210987654321:role/ci"] }]\n`,
      /externalUsers\[0\]\.readers: the stage has no customer-managed KMS key .* cannot be read from another account/,
    ],
    [
      'a wildcard reader',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view, readers: ["arn:aws:iam::210987654321:role/*"] }]\n`,
      /externalUsers\[0\]\.readers\[0\]: "arn:aws:iam::210987654321:role\/\*" is not an IAM role ARN/,
    ],
    [
      'a wildcard in a secret name',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view, secretName: "x/*" }]\n`,
      /externalUsers\[0\]\.secretName: "x\/\*" is not a secret name/,
    ],
    [
      'a placeholder the tool does not fill',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view, secretName: "x/{owner}/{name}" }]\n`,
      /only \{cluster\}, \{name\}, \{region\} and \{account\} stand for something/,
    ],
    [
      '{account} in a secret name for a cluster whose account is not known',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view, secretName: "x/{account}/{name}" }]\n`,
      /externalUsers\[0\]\.clusters\[0\]: the secret name x\/\{account\}\/\{name\} needs the cluster's account/,
    ],
    [
      'a secret name per found cluster when the selector names no region',
      `${clusters}externalUsers: [{ name: partner, clusterRole: view }]\nbootstrap: { selectors: [{ namePattern: team-* }] }\n`,
      /bootstrap\.selectors\[0\] finds are told apart by region, and it names none/,
    ],
    [
      'a wildcard role to assume',
      'clusters: [{ name: prod, region: eu-west-1, roleArn: "arn:aws:iam::*:role/*" }]\n',
      /clusters\[0\]\.roleArn: .* is not an IAM role ARN/,
    ],
    [
      'an access policy by wildcard',
      `${clusters}groups: [{ iamGroup: ops, kubernetesGroups: [ops], accessPolicies: [{ policy: "AmazonEKS*" }] }]\n`,
      /is not an EKS access policy name/,
    ],
  ])('refuses %s, saying where', async (_, yaml, message) => {
    await expect(rolesFor(yaml)).rejects.toThrow(message);
  });

  it('refuses a KMS key given as an alias or a wildcard', async () => {
    await expect(rolesFor(clusters, 'arn:aws:kms:eu-west-1:111122223333:alias/*')).rejects.toThrow(
      /param secretsKmsKeyArn: .* is not a KMS key ARN/,
    );
    await expect(rolesFor(clusters, '*')).rejects.toThrow(/is not a KMS key ARN/);
  });

  it('names every kubeconfig secret and role exactly, and the KMS key through Secrets Manager only', async () => {
    // Prepare: placeholders everywhere they are allowed.
    const roles = await rolesFor(
      `clusters:
  - { name: prod, region: eu-west-1 }
  - { name: partner, region: us-east-1, roleArn: "arn:aws:iam::222233334444:role/eks-access-sync" }
externalUsers:
  - { name: partner-ci, clusterRole: view, secretName: "{cluster}/{name}" }
  - { name: auditor, clusterRole: view, clusters: [prod] }
bootstrap:
  selectors:
    - { namePattern: "team-?", regions: [eu-west-1], accounts: ["555566667777", "888899990000"], roleArn: "arn:aws:iam::{account}:role/eks-access-sync" }
`,
      key,
    );

    // Assess
    for (const [id, statements] of Object.entries(roles)) {
      const writes = granting(statements, 'secretsmanager:PutSecretValue').flatMap((s) =>
        s.Resource.map(text),
      );
      if (id === 'SyncAccessRole' || id === 'ReviewAccessRole') expect(writes).toEqual([]);
      else
        expect(writes.map((r) => r.replace(/^.*:secret:/, '').replace(/"}$/, ''))).toEqual([
          '555566667777/eu-west-1/team-?/partner-ci-??????',
          '888899990000/eu-west-1/team-?/partner-ci-??????',
          'eks-access-sync/prod/auditor-??????',
          'partner/partner-ci-??????',
          'prod/partner-ci-??????',
          'team-?/partner-ci-??????',
        ]);
      const deletes = granting(statements, 'secretsmanager:DeleteSecret').filter((s) =>
        s.Resource.some((r) => text(r).endsWith(':secret:*"}')),
      );
      for (const statement of deletes) {
        expect(statement.Condition).toEqual({
          StringEquals: { 'secretsmanager:ResourceTag/eks-access-sync:managed-by': 'eks-access-sync' },
        });
      }
      for (const statement of granting(statements, 'kms:Decrypt')) {
        expect(statement.Resource).toEqual([key]);
        expect(statement.Condition?.StringEquals?.['kms:ViaService']).toEqual({
          'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com',
        });
      }
    }
    expect(granting(roles.BootstrapClusterRole ?? [], 'sts:AssumeRole').flatMap((s) => s.Resource)).toEqual([
      'arn:aws:iam::222233334444:role/eks-access-sync',
      'arn:aws:iam::555566667777:role/eks-access-sync',
      'arn:aws:iam::888899990000:role/eks-access-sync',
    ]);
    expect(granting(roles.RotateTokensRole ?? [], 'kms:Decrypt')).toHaveLength(1);
  });

  it('lets a run write a resource policy only on the secrets of users with readers', async () => {
    // Prepare: two users, one read from another account.
    const roles = await rolesFor(
      `${clusters}externalUsers:
  - { name: partner-ci, clusterRole: view, readers: ["arn:aws:iam::210987654321:role/ci"] }
  - { name: auditor, clusterRole: view }
`,
      key,
    );

    // Assess
    for (const id of ['RotateTokensRole', 'BootstrapClusterRole']) {
      const statements = roles[id] ?? [];
      expect(granting(statements, 'secretsmanager:PutResourcePolicy').map((s) => s.Action.sort())).toEqual([
        ['secretsmanager:PutResourcePolicy', 'secretsmanager:ValidateResourcePolicy'],
      ]);
      const resources = (action: string) =>
        granting(statements, action).flatMap((s) =>
          s.Resource.map((r) => text(r).replace(/^.*:secret:/, '')),
        );
      expect(resources('secretsmanager:PutResourcePolicy')).toEqual([
        'eks-access-sync/prod/partner-ci-??????"}',
      ]);
      // Reading and deleting a policy: every user's secret (a reader removed is a policy deleted).
      expect(resources('secretsmanager:DeleteResourcePolicy')).toEqual([
        'eks-access-sync/prod/auditor-??????"}',
        'eks-access-sync/prod/partner-ci-??????"}',
      ]);
    }
    expect(granting(roles.SyncAccessRole ?? [], 'secretsmanager:GetResourcePolicy')).toEqual([]);
  });

  it('lets bootstrap create access entries only for its own role and the configured principals, with their policies', async () => {
    // Prepare
    const roles = await rolesFor(
      `${clusters}groups: [{ iamGroup: devs, kubernetesGroups: [devs], accessPolicies: [{ policy: AmazonEKSViewPolicy }] }]
roles: [{ roleArn: "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_01", username: "sso:{{SessionName}}", accessPolicies: [{ policy: AmazonEKSEditPolicy, scope: { namespaces: [apps] } }] }]
bootstrap: { selectors: [{ namePattern: team-*, regions: [eu-central-1] }] }
`,
    );
    const bootstrap = roles.BootstrapClusterRole ?? [];

    // Assess: creating names the principals by condition.
    const create = granting(bootstrap, 'eks:CreateAccessEntry');
    expect(create).toHaveLength(1);
    expect(create[0]?.Condition?.ArnLike?.['eks:principalArn']).toEqual([
      'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_01',
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*' },
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/eks-access-sync-hostile-eu-west-1-bootstrap',
      },
    ]);
    // Associating is conditioned on the policy in every statement, and cluster-admin only for itself.
    const associate = granting(bootstrap, 'eks:AssociateAccessPolicy');
    expect(associate.map((s) => s.Condition?.ArnEquals?.['eks:policyArn'])).toEqual([
      [
        { 'Fn::Sub': 'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' },
      ],
      [{ 'Fn::Sub': 'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy' }],
    ]);
    expect(associate[1]?.Resource.map(text).join(' ')).toMatch(
      /access-entry\/\*\/role\/\$\{AWS::AccountId\}\/eks-access-sync-hostile-eu-west-1-bootstrap\/\*/,
    );
    // Changing or deleting an entry: the configured principals', or one the tool tagged.
    for (const action of ['eks:UpdateAccessEntry', 'eks:DeleteAccessEntry']) {
      for (const statement of granting(bootstrap, action)) {
        const anyEntry = statement.Resource.map(text).some((r) => r.endsWith('access-entry/*/*"}'));
        if (anyEntry)
          expect(statement.Condition).toEqual({
            StringEquals: { 'aws:ResourceTag/eks-access-sync.io/managed': 'true' },
          });
        else expect(statement.Resource.map(text).join(' ')).not.toMatch(/access-entry\/\*\/\*"/);
      }
    }
    expect(JSON.stringify(bootstrap)).not.toContain('cluster-access-policy/*"}],"Condition');
  });
});
