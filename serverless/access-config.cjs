// Reads the stage's access.yaml at package time, so that IAM statements name the exact groups,
// clusters and roles the functions touch (least privilege, design.md invariant 10).
const { readFileSync, existsSync } = require('node:fs');
const { resolve } = require('node:path');
const { parse } = require('yaml');

const sub = (text) => ({ 'Fn::Sub': text });

module.exports = async ({ resolveVariable }) => {
  const file = await resolveVariable('param:accessConfig');
  const path = resolve(__dirname, '..', file);
  if (!existsSync(path)) {
    throw new Error(
      `${file} not found: the functions deploy with the access config of their stage ` +
        '(copy examples/sandbox/access.yaml as a start, or pass --param="accessConfig=path/to/access.yaml")',
    );
  }
  const config = parse(readFileSync(path, 'utf8')) ?? {};
  const clusters = Array.isArray(config.clusters) ? config.clusters : [];
  const groups = Array.isArray(config.groups) ? config.groups : [];
  const own = clusters.filter((c) => c && !c.roleArn);
  const clusterArns = own.map((c) => sub(`arn:\${AWS::Partition}:eks:${c.region}:\${AWS::AccountId}:cluster/${c.name}`));
  const groupArns = groups.flatMap((g) => [
    sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:group/${g.iamGroup}`),
    sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:group/*/${g.iamGroup}`),
  ]);
  const assumeRoleArns = [...new Set(clusters.filter((c) => c?.roleArn).map((c) => c.roleArn))];
  const regions = [...new Set(clusters.map((c) => c?.region).filter(Boolean))].sort();
  // IAM refuses a statement without resources; a config without such things names one that cannot exist.
  const orNone = (list, arn) => (list.length > 0 ? list : [sub(arn)]);
  return {
    clusterArns: orNone(clusterArns, 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/eks-access-sync-none'),
    groupArns: orNone(groupArns, 'arn:${AWS::Partition}:iam::${AWS::AccountId}:group/eks-access-sync-none'),
    assumeRoleArns: orNone(assumeRoleArns, 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/eks-access-sync-none'),
    regions,
  };
};
