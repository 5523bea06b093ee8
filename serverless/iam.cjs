// One role per function, each naming only the actions its code calls and, where AWS allows, the
// resources of the stage's access config (docs/invariants.md, invariant 10). Generated at package time.
const { readFileSync, existsSync } = require('node:fs');
const { resolve } = require('node:path');
const { parse } = require('yaml');
const {
  IamConfigError,
  exact,
  list,
  readerUsers,
  secretNames,
  selectorRoleArns,
} = require('./iam-names.cjs');
const { accessEntryStatements } = require('./iam-access-entries.cjs');

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

function role(functionName, logGroup, statements, name) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      ...(name ? { RoleName: name } : {}),
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
  const clusters = list(config.clusters).map((c, i) => ({
    ...c,
    name: exact('cluster', c?.name, `clusters[${i}].name`),
    region: exact('region', c?.region, `clusters[${i}].region`),
    ...(c?.roleArn === undefined ? {} : { roleArn: exact('roleArn', c.roleArn, `clusters[${i}].roleArn`) }),
  }));
  const selectors = list(config.bootstrap?.selectors);
  const own = clusters.filter((c) => !c.roleArn);

  const clusterArns = own.map((c) => arn(`eks:${c.region}:\${AWS::AccountId}:cluster/${c.name}`));
  // Only clusters that may use access entries need their actions (configMap is the default backend).
  const entryClusters = own.filter((c) => c.backend && c.backend !== 'configMap');
  const groupArns = list(config.groups).flatMap((g, i) => {
    const name = exact('iamName', g?.iamGroup, `groups[${i}].iamGroup`);
    return [arn(`iam::\${AWS::AccountId}:group/${name}`), arn(`iam::\${AWS::AccountId}:group/*/${name}`)];
  });
  const assumeRoleArns = [...new Set(clusters.filter((c) => c.roleArn).map((c) => c.roleArn))];
  // A selector's role is named per account: {account} is the new cluster's, one of its accounts.
  const selectorRoles = [
    ...new Set(selectors.flatMap((s, i) => selectorRoleArns(s, `bootstrap.selectors[${i}]`))),
  ];
  // Secrets Manager appends a dash and 6 characters to every name.
  const secretArn = (name) => arn(`secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}-??????`);
  const secretArns = secretNames(config).map(secretArn);
  const kmsKeyArn = await resolveVariable('param:secretsKmsKeyArn');
  // Only the secrets of users with readers get a resource policy written on them.
  const withReaders = new Set(readerUsers(config, kmsKeyArn));
  const readSecretArns = secretNames(config, (user) => withReaders.has(user)).map(secretArn);
  // Clusters a bootstrap selector may match are not known in advance: every cluster of the account
  // in the watched regions, for the few actions that set a new cluster up.
  const watchedRegions = [
    ...new Set([
      ...clusters.map((c) => c.region),
      ...selectors.flatMap((s, i) =>
        list(s?.regions).map((r, j) => exact('region', r, `bootstrap.selectors[${i}].regions[${j}]`)),
      ),
    ]),
  ];
  const anyClusterArns = watchedRegions.map((r) => arn(`eks:${r}:\${AWS::AccountId}:cluster/*`));

  const describe = clusterArns.length ? [allow(['eks:DescribeCluster'], clusterArns)] : [];
  // The fleet (src/app/fleet): syncAccess and rotateTokens list the selectors' places every run.
  // ListClusters names no resource. In the function's own account (a selector without roleArn) the
  // clusters found are described, tagged with their last sync and, unless configMap, given access
  // entries; in other accounts the selector's role does all of that.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
  const deployRegionOf = '${AWS::Region}';
  const ownFleetRegions = [
    ...new Set(
      selectors.flatMap((s, i) => {
        if (s?.roleArn !== undefined) return [];
        if (list(s?.regions).length === 0) return [deployRegionOf];
        return list(s.regions).map((r, j) => exact('region', r, `bootstrap.selectors[${i}].regions[${j}]`));
      }),
    ),
  ];
  const ownFleetArns = ownFleetRegions.map((r) => arn(`eks:${r}:\${AWS::AccountId}:cluster/*`));
  const fleetEntryClusters = selectors.some((s) => s?.roleArn === undefined && s?.backend !== 'configMap')
    ? ownFleetRegions.map((region) => ({ region, name: '*' }))
    : [];
  const fleet = [
    ...(selectors.length ? [allow(['eks:ListClusters'], ['*'])] : []),
    ...(ownFleetArns.length ? [allow(['eks:DescribeCluster'], ownFleetArns)] : []),
    ...(selectorRoles.length ? [allow(['sts:AssumeRole'], selectorRoles)] : []),
  ];
  // The last sync of each cluster, kept as its tag eks-access-sync:last-sync, and no other tag.
  const lastSync = (clusterResources) =>
    clusterResources.length
      ? [
          {
            ...allow(['eks:TagResource'], clusterResources),
            Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks-access-sync:last-sync'] } },
          },
        ]
      : [];
  const assume = assumeRoleArns.length ? [allow(['sts:AssumeRole'], assumeRoleArns)] : [];
  // Access entries only for the principals the config maps (and bootstrap's own role), with the policies it names.
  const mappings = [...list(config.groups), ...list(config.roles)];
  const permissionSets = list(config.roles).flatMap((r, i) =>
    r?.permissionSet === undefined
      ? []
      : [exact('permissionSet', r.permissionSet, `roles[${i}].permissionSet`)],
  );
  const principals = {
    roles: list(config.roles).flatMap((r, i) =>
      r?.permissionSet !== undefined ? [] : [exact('roleArn', r?.roleArn, `roles[${i}].roleArn`)],
    ),
    permissionSets,
    users: list(config.groups).length > 0,
  };
  // A permission set's role is found in each cluster's account by listing the SSO path
  // (src/adapters/iam-sso-roles.ts); ListRoles names no resource, so only a config that maps one gets it.
  const ssoRoleList = permissionSets.length ? [allow(['iam:ListRoles'], ['*'])] : [];
  const policies = [
    ...new Set([
      ...mappings
        .flatMap((m) => list(m?.accessPolicies))
        .map((p, i) => exact('policy', p?.policy, `accessPolicies[${i}].policy`)),
      ...(mappings.some((m) => list(m?.kubernetesGroups).includes('system:masters'))
        ? ['AmazonEKSClusterAdminPolicy']
        : []),
    ]),
  ].sort();
  // IAM names are global: the region keeps one stage's deployments in two regions apart.
  const deployRegion = exact('region', await resolveVariable('self:provider.region'), 'provider.region');
  const bootstrapRoleName = `${service}-${stage}-${deployRegion}-bootstrap`;
  if (bootstrapRoleName.length > 64)
    throw new IamConfigError(`stage ${stage} makes the role name longer than 64`);
  const iamRead = [
    ...(groupArns.length ? [allow(['iam:GetGroup'], groupArns)] : []),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    allow(['iam:GetUser', 'iam:ListGroupsForUser'], [arn('iam::${AWS::AccountId}:user/*')]),
  ];
  // A sync records and compares the unique id (RoleId) of each configured role it gives an access entry.
  const configuredRoles = principals.roles.length ? [allow(['iam:GetRole'], principals.roles)] : [];
  const secrets = [
    ...(secretArns.length === 0
      ? []
      : [
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
              // Every run reads the policy, and deletes it once a user has no readers left.
              'secretsmanager:GetResourcePolicy',
              'secretsmanager:DeleteResourcePolicy',
            ],
            secretArns,
          ),
        ]),
    ...(readSecretArns.length === 0
      ? []
      : [
          allow(
            ['secretsmanager:ValidateResourcePolicy', 'secretsmanager:PutResourcePolicy'],
            readSecretArns,
          ),
        ]),
    // Offboarding: the secrets of users no longer in the config have names the config no longer
    // says; they are found by this tool's tag, and only those tagged may be deleted.
    {
      ...allow(
        ['secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
        [arn('secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*')],
      ),
      Condition: {
        StringEquals: { 'secretsmanager:ResourceTag/eks-access-sync:managed-by': 'eks-access-sync' },
      },
    },
    // ListSecrets has no resource to name; it finds the secrets this tool tagged.
    allow(['secretsmanager:ListSecrets'], ['*']),
  ];
  // Rotation notices: on the region's default bus, as eks-access-sync and with its two detail types only.
  const notices = [
    {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      ...allow(['events:PutEvents'], [arn('events:${AWS::Region}:${AWS::AccountId}:event-bus/default')]),
      Condition: {
        StringEquals: {
          'events:source': 'eks-access-sync',
          'events:detail-type': ['Kubeconfig Rotated', 'Kubeconfig Rotation Failed'],
        },
      },
    },
  ];
  // With a customer-managed key, the secrets are encrypted and read through it, by Secrets Manager only.
  if (kmsKeyArn) {
    secrets.push({
      ...allow(
        ['kms:Decrypt', 'kms:GenerateDataKey'],
        [exact('kmsKey', kmsKeyArn, 'param secretsKmsKeyArn')],
      ),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
      Condition: { StringEquals: { 'kms:ViaService': sub('secretsmanager.${AWS::Region}.amazonaws.com') } },
    });
  }
  // The access review only reads: every own cluster's description and access entries (all of
  // them, hand-made ones included, since it reports on them), IAM's principals, the kubeconfig
  // secrets' tags; its one write is its report: reviews/* and latest.json|.html in its own bucket.
  const reviewReads = [
    ...iamRead,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    allow(['iam:GetRole'], [arn('iam::${AWS::AccountId}:role/*')]),
    ...describe,
    ...(own.length
      ? [
          allow(['eks:ListAccessEntries'], clusterArns),
          allow(
            ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'],
            own.map((c) => arn(`eks:${c.region}:\${AWS::AccountId}:access-entry/${c.name}/*`)),
          ),
        ]
      : []),
    ...assume,
    ...(secretArns.length ? [allow(['secretsmanager:DescribeSecret'], secretArns)] : []),
    allow(
      ['s3:PutObject'],
      ['reviews/*', 'latest.json', 'latest.html'].map((key) => sub(`\${ReviewBucket.Arn}/${key}`)),
    ),
  ];
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
        ...ssoRoleList,
        ...configuredRoles,
        ...describe,
        ...accessEntryStatements({
          clusters: [
            ...entryClusters.map((c) => ({ region: c.region, name: c.name })),
            ...fleetEntryClusters,
          ],
          principals,
          policies,
        }),
        ...assume,
        ...fleet,
        ...lastSync([...clusterArns, ...ownFleetArns]),
        consume('IamEventsQueue'),
      ]),
      RotateTokensRole: role('rotateTokens', logGroup('rotateTokens'), [
        ...describe,
        ...assume,
        ...fleet,
        ...secrets,
        ...notices,
      ]),
      ReviewAccessRole: role('reviewAccess', logGroup('reviewAccess'), reviewReads),
      BootstrapClusterRole: role(
        'bootstrapCluster',
        logGroup('bootstrapCluster'),
        [
          ...iamRead,
          ...ssoRoleList,
          ...configuredRoles,
          ...(anyClusterArns.length ? [allow(['eks:DescribeCluster'], anyClusterArns)] : []),
          ...accessEntryStatements({
            clusters: watchedRegions.map((region) => ({ region, name: '*' })),
            principals,
            policies,
            self: bootstrapRoleName,
          }),
          ...(assumeRoleArns.length + selectorRoles.length
            ? [allow(['sts:AssumeRole'], [...assumeRoleArns, ...selectorRoles])]
            : []),
          // Its own sync of a cluster it sets up records the last sync there too.
          ...lastSync([...clusterArns, ...anyClusterArns]),
          ...secrets,
          ...notices,
          allow(
            ['sqs:SendMessage', 'sqs:GetQueueUrl'],
            [
              { 'Fn::GetAtt': ['BootstrapRecheckQueue', 'Arn'] },
              { 'Fn::GetAtt': ['BootstrapDeadLetterQueue', 'Arn'] },
            ],
          ),
          consume('BootstrapRecheckQueue'),
        ],
        // Named, so that its policy can name its own access entry (a GetAtt of itself would be a cycle).
        bootstrapRoleName,
      ),
    },
  };
};
