// The EKS access-entry grants of a function's role: only for the principals the config maps (and
// bootstrap's own role), only with the access policies the config names. IAM authorizes
// AssociateAccessPolicy on the access entry and on the policy separately, so each statement that
// associates also says which policy by condition: the resources of two statements never combine
// into "any policy for any principal".

const sub = (text) => ({ 'Fn::Sub': text });
const arn = (rest) => sub(`arn:\${AWS::Partition}:${rest}`);
const allow = (Action, Resource, Condition) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

const policyArn = (name) => arn(`eks::aws:cluster-access-policy/${name}`);
/** `access-entry/<cluster>/<role|user>/<account>/<name>/<uuid>`, as EKS names an access entry. */
const entryArn = (cluster, rest) =>
  arn(`eks:${cluster.region}:\${AWS::AccountId}:access-entry/${cluster.name}/${rest}`);
const clusterArn = (cluster) => arn(`eks:${cluster.region}:\${AWS::AccountId}:cluster/${cluster.name}`);

/** The part of an entry's ARN after the cluster that names a principal (role path dropped, as EKS does). */
function principalPart(roleArn) {
  const [, account, name] = /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return `role/${account}/${name}/*`;
}

/**
 * @param clusters {region, name}[]: exact names, or `*` for the clusters bootstrap may meet
 * @param principals {roles: string[] (role ARNs), permissionSets?: string[] (IAM Identity Center
 *   permission set names: their AWSReservedSSO_<set>_<random> roles), users: boolean (members of mapped groups)}
 * @param policies access policy names the config associates
 * @param self bootstrap's own role name: its entry may get cluster-admin, and nothing else may
 */
function accessEntryStatements({ clusters, principals, policies, self }) {
  if (clusters.length === 0) return [];
  const ssoSets = principals.permissionSets ?? [];
  const principalArns = [
    ...principals.roles,
    ...ssoSets.map((set) =>
      sub(
        `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${set}_*`,
      ),
    ),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    ...(principals.users ? [sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*')] : []),
    ...(self ? [sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${self}`)] : []),
  ];
  const parts = [
    ...principals.roles.map(principalPart),
    ...ssoSets.map((set) => `role/\${AWS::AccountId}/AWSReservedSSO_${set}_*/*`),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    ...(principals.users ? ['user/${AWS::AccountId}/*'] : []),
  ];
  const configured = clusters.flatMap((c) => parts.map((part) => entryArn(c, part)));
  const own = self ? clusters.map((c) => entryArn(c, `role/\${AWS::AccountId}/${self}/*`)) : [];
  const everyEntry = clusters.map((c) => entryArn(c, '*'));
  const statements = [
    // Reading is needed for every entry: the plan must see the ones it does not own to leave them.
    allow(['eks:ListAccessEntries'], clusters.map(clusterArn)),
    allow(['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'], everyEntry),
  ];
  if (principalArns.length > 0) {
    statements.push(
      allow(['eks:CreateAccessEntry'], clusters.map(clusterArn), {
        ArnLike: { 'eks:principalArn': principalArns },
      }),
    );
  }
  if (configured.length > 0) {
    statements.push(
      allow(
        ['eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', 'eks:DisassociateAccessPolicy', 'eks:TagResource'],
        configured,
      ),
    );
    if (policies.length > 0) {
      statements.push(
        allow(['eks:AssociateAccessPolicy'], [...configured, ...policies.map(policyArn)], {
          ArnEquals: { 'eks:policyArn': policies.map(policyArn) },
        }),
      );
    }
  }
  // What the tool made for a principal the config no longer maps is still its to remove: by its tag.
  statements.push(
    allow(['eks:DeleteAccessEntry', 'eks:DisassociateAccessPolicy'], everyEntry, {
      StringEquals: { 'aws:ResourceTag/eks-access-sync.io/managed': 'true' },
    }),
    // Removing a policy is never a grant: any policy, on the entries the statements above allow.
    allow(['eks:DisassociateAccessPolicy'], [arn('eks::aws:cluster-access-policy/*')]),
  );
  if (self) {
    statements.push(
      allow(['eks:TagResource'], own),
      allow(['eks:AssociateAccessPolicy'], [...own, policyArn('AmazonEKSClusterAdminPolicy')], {
        ArnEquals: { 'eks:policyArn': [policyArn('AmazonEKSClusterAdminPolicy')] },
      }),
    );
  }
  return statements;
}

module.exports = { accessEntryStatements };
