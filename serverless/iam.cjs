// One role per function, each naming only the actions its code calls and, where AWS allows, the
// resources of the stage's access config (docs/invariants.md, invariant 10). Generated at package time.
const { readFileSync, existsSync } = require('node:fs');
const { resolve } = require('node:path');
const { parse } = require('yaml');

const sub = (text) => ({ 'Fn::Sub': text });
const arn = (rest) => sub(`arn:\${AWS::Partition}:${rest}`);
const allow = (Action, Resource) => ({ Effect: 'Allow', Action, Resource });

function readConfig(file) {
  const path = resolve(__dirname, '..', file);
  if (!existsSync(path)) {
    throw new Error(
      `${file} not found: the functions deploy with the access config of their stage ` +
        '(copy examples/sandbox/access.yaml as a start, or pass --param="accessConfig=path/to/access.yaml")',
    );
  }
  return parse(readFileSync(path, 'utf8')) ?? {};
}

function role(functionName, logGroup, statements) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: `eks-access-sync ${functionName}: only what its code calls`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      Policies: [
        {
          PolicyName: functionName,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              allow(
                ['logs:CreateLogStream', 'logs:PutLogEvents'],
                [arn(`logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:*`)],
              ),
              ...statements,
            ],
          },
        },
      ],
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const config = readConfig(await resolveVariable('param:accessConfig'));
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const list = (v) => (Array.isArray(v) ? v : []);
  const clusters = list(config.clusters);
  const own = clusters.filter((c) => c && !c.roleArn);
  const region = (c) => c.region;

  const clusterArns = own.map((c) => arn(`eks:${region(c)}:\${AWS::AccountId}:cluster/${c.name}`));
  // Only clusters that may use access entries need their actions (configMap is the default backend).
  const entryClusters = own.filter((c) => c.backend && c.backend !== 'configMap');
  const entryClusterArns = entryClusters.map((c) =>
    arn(`eks:${region(c)}:\${AWS::AccountId}:cluster/${c.name}`),
  );
  const accessEntryArns = entryClusters.map((c) =>
    arn(`eks:${region(c)}:\${AWS::AccountId}:access-entry/${c.name}/*`),
  );
  const groupArns = list(config.groups).flatMap((g) => [
    arn(`iam::\${AWS::AccountId}:group/${g.iamGroup}`),
    arn(`iam::\${AWS::AccountId}:group/*/${g.iamGroup}`),
  ]);
  const assumeRoleArns = [...new Set(clusters.filter((c) => c?.roleArn).map((c) => c.roleArn))];
  // A selector's role is named per account: {account} is the new cluster's.
  const selectorRoleArns = [
    ...new Set(
      list(config.bootstrap?.selectors)
        .filter((s) => s?.roleArn)
        .map((s) => s.roleArn.replaceAll('{account}', '*')),
    ),
  ];
  const secretPrefixes = [
    ...new Set(
      list(config.externalUsers).map((u) =>
        (u.secretName ?? 'eks-access-sync/{cluster}/{name}').replace(/\{[^}]*\}.*$/, ''),
      ),
    ),
  ];
  const secretArns = (secretPrefixes.length ? secretPrefixes : ['eks-access-sync/']).map((p) =>
    arn(`secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${p}*`),
  );
  // Clusters a bootstrap selector may match are not known in advance: every cluster of the account
  // in the watched regions, for the few actions that set a new cluster up.
  const watchedRegions = [
    ...new Set(
      [...clusters.map(region), ...list(config.bootstrap?.selectors).flatMap((s) => list(s.regions))].filter(
        Boolean,
      ),
    ),
  ];
  const anyClusterArns = watchedRegions.map((r) => arn(`eks:${r}:\${AWS::AccountId}:cluster/*`));
  const anyAccessEntryArns = watchedRegions.map((r) => arn(`eks:${r}:\${AWS::AccountId}:access-entry/*`));

  const describe = clusterArns.length ? [allow(['eks:DescribeCluster'], clusterArns)] : [];
  const assume = assumeRoleArns.length ? [allow(['sts:AssumeRole'], assumeRoleArns)] : [];
  // AssociateAccessPolicy also names the AWS-owned policy being associated.
  const accessPolicyArns = [arn('eks::aws:cluster-access-policy/*')];
  const accessEntries = (clustersArns, entryArns) =>
    clustersArns.length
      ? [
          allow(['eks:ListAccessEntries', 'eks:CreateAccessEntry'], clustersArns),
          allow(
            [
              'eks:DescribeAccessEntry',
              'eks:UpdateAccessEntry',
              'eks:DeleteAccessEntry',
              'eks:ListAssociatedAccessPolicies',
              'eks:AssociateAccessPolicy',
              'eks:DisassociateAccessPolicy',
              'eks:TagResource',
            ],
            [...entryArns, ...accessPolicyArns],
          ),
        ]
      : [];
  const iamRead = [
    ...(groupArns.length ? [allow(['iam:GetGroup'], groupArns)] : []),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    allow(['iam:GetUser', 'iam:ListGroupsForUser'], [arn('iam::${AWS::AccountId}:user/*')]),
  ];
  const secrets = [
    allow(
      [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:CreateSecret',
        'secretsmanager:TagResource',
        'secretsmanager:RestoreSecret',
        'secretsmanager:DeleteSecret',
      ],
      secretArns,
    ),
    // ListSecrets has no resource to name; it finds the secrets this tool tagged.
    allow(['secretsmanager:ListSecrets'], ['*']),
  ];
  // With a customer-managed key, the secrets are encrypted and read through it.
  const kmsKeyArn = await resolveVariable('param:secretsKmsKeyArn');
  if (kmsKeyArn) secrets.push(allow(['kms:Decrypt', 'kms:GenerateDataKey'], [kmsKeyArn]));
  const consume = (queue) =>
    allow(
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      [{ 'Fn::GetAtt': [queue, 'Arn'] }],
    );
  const logGroup = (fn) => `/aws/lambda/${service}-${stage}-${fn}`;

  return {
    Resources: {
      SyncAccessRole: role('syncAccess', logGroup('syncAccess'), [
        ...iamRead,
        ...describe,
        ...accessEntries(entryClusterArns, accessEntryArns),
        ...assume,
        consume('IamEventsQueue'),
      ]),
      RotateTokensRole: role('rotateTokens', logGroup('rotateTokens'), [...describe, ...assume, ...secrets]),
      BootstrapClusterRole: role('bootstrapCluster', logGroup('bootstrapCluster'), [
        ...iamRead,
        ...(anyClusterArns.length ? [allow(['eks:DescribeCluster'], anyClusterArns)] : []),
        ...accessEntries(anyClusterArns, anyAccessEntryArns),
        ...(assumeRoleArns.length + selectorRoleArns.length
          ? [allow(['sts:AssumeRole'], [...assumeRoleArns, ...selectorRoleArns])]
          : []),
        ...secrets,
        allow(
          ['sqs:SendMessage', 'sqs:GetQueueUrl'],
          [
            { 'Fn::GetAtt': ['BootstrapRecheckQueue', 'Arn'] },
            { 'Fn::GetAtt': ['BootstrapDeadLetterQueue', 'Arn'] },
          ],
        ),
        consume('BootstrapRecheckQueue'),
      ]),
    },
  };
};
