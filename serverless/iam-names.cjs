// The names of the access config, made exact before they go into an IAM policy. The config is read
// here as plain YAML (the TypeScript schema cannot run at package time), so every value is checked
// again: a `*`, a `?` or a placeholder that cannot be resolved would widen a grant, and is refused.

/** The config would make the generated IAM policy wider than what it names. */
class IamConfigError extends Error {
  constructor(message) {
    super(`the access config cannot be turned into an exact IAM policy: ${message}`);
    this.name = 'IamConfigError';
  }
}

const kinds = {
  cluster: [/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'an EKS cluster name'],
  region: [/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region'],
  account: [/^\d{12}$/, 'a 12-digit account id'],
  iamName: [/^[\w+=,.@-]{1,128}$/, 'an IAM name'],
  user: [/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'an external user name'],
  permissionSet: [/^[\w+=,.@-]{1,32}$/, 'an IAM Identity Center permission set name'],
  policy: [/^AmazonEKS[A-Za-z0-9]+Policy$/, 'an EKS access policy name'],
  roleArn: [/^arn:aws[\w-]*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, 'an IAM role ARN'],
  kmsKey: [/^arn:aws[\w-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/, 'a KMS key ARN'],
  // What namePattern may hold: a cluster name with `*` and `?`, which IAM reads as the glob does.
  namePattern: [/^[A-Za-z0-9_*?-]{1,100}$/, 'a cluster name pattern'],
};

/** The value, when it is exactly one of its kind; otherwise a refusal that says where. */
function exact(kind, value, where) {
  const [pattern, what] = kinds[kind];
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new IamConfigError(`${where}: ${JSON.stringify(value)} is not ${what}`);
  }
  return value;
}

const list = (v) => (Array.isArray(v) ? v : []);

/**
 * The roles a selector reaches new clusters through: `{account}` replaced by each account the
 * selector names. Without accounts it would be every account's role of that name: refused.
 */
function selectorRoleArns(selector, where) {
  if (selector.roleArn === undefined) return [];
  const template = String(selector.roleArn);
  if (!template.includes('{account}')) return [exact('roleArn', template, `${where}.roleArn`)];
  const accounts = list(selector.accounts);
  if (accounts.length === 0) {
    throw new IamConfigError(
      `${where}.roleArn: {account} without the selector's accounts would name that role in every account`,
    );
  }
  return accounts.map((account, i) =>
    exact(
      'roleArn',
      template.replace('{account}', exact('account', account, `${where}.accounts[${i}]`)),
      `${where}.roleArn`,
    ),
  );
}

const defaultSecretName = 'eks-access-sync/{cluster}/{name}';

/** The account a listed cluster lives in: its accountId, or its roleArn's; undefined for the function's own. */
function clusterAccount(cluster, where) {
  if (cluster?.accountId !== undefined)
    return exact('account', String(cluster.accountId), `${where}.accountId`);
  if (cluster?.roleArn !== undefined)
    return exact('roleArn', cluster.roleArn, `${where}.roleArn`).split(':')[4];
  return undefined;
}

/**
 * The secret names of every external user's kubeconfigs, as IAM resource names (without the
 * 6-character suffix Secrets Manager adds), made as src/domain/rotation/secret-name.ts makes them.
 * Listed clusters give exact names. Clusters a bootstrap selector will match give the selector's
 * namePattern in place of `{cluster}` (IAM matches it as the selector does), qualified by each of the
 * selector's regions and accounts (`{account}/{region}/{cluster}`, the account being the stack's own
 * when the selector names none), and the name such a secret had before clusters were told apart. A
 * placeholder that cannot be made exact (a selector with tags only, or without regions) is refused.
 * `only` keeps the users it accepts (those with readers, for the resource-policy writes).
 */
function secretNames(config, only = () => true) {
  const clusters = list(config.clusters);
  const selectors = list(config.bootstrap?.selectors);
  const names = new Set();
  list(config.externalUsers).forEach((user, i) => {
    if (!only(user)) return;
    const where = `externalUsers[${i}]`;
    const name = exact('user', user?.name, `${where}.name`);
    const template = user.secretName ?? defaultSecretName;
    if (typeof template !== 'string' || !/^[\w/+=.@{}-]{1,512}$/.test(template)) {
      throw new IamConfigError(`${where}.secretName: ${JSON.stringify(template)} is not a secret name`);
    }
    const unknown = ['{cluster}', '{name}', '{region}', '{account}'].reduce(
      (t, p) => t.replaceAll(p, ''),
      template,
    );
    if (unknown.includes('{') || unknown.includes('}')) {
      throw new IamConfigError(
        `${where}.secretName: only {cluster}, {name}, {region} and {account} stand for something (${template})`,
      );
    }
    const expand = (pattern, cluster, region, account, at) => {
      if (pattern.includes('{account}') && account === undefined) {
        throw new IamConfigError(
          `${at}: the secret name ${pattern} needs the cluster's account; set its accountId`,
        );
      }
      return pattern
        .replaceAll('{cluster}', cluster)
        .replaceAll('{region}', region)
        .replaceAll('{account}', account ?? '')
        .replaceAll('{name}', name);
    };
    const listed = user.clusters === undefined ? clusters.map((c) => c?.name) : list(user.clusters);
    listed.forEach((clusterName, j) => {
      const at = `${where}.clusters[${j}]`;
      exact('cluster', clusterName, at);
      const cluster = clusters.find((c) => c?.name === clusterName);
      const region = cluster ? exact('region', cluster.region, `${at}: the cluster's region`) : undefined;
      if (region === undefined && template.includes('{region}')) {
        throw new IamConfigError(`${at}: ${clusterName} is not a listed cluster, so {region} is not known`);
      }
      names.add(
        expand(template, clusterName, region ?? '', cluster ? clusterAccount(cluster, at) : undefined, at),
      );
    });
    // A user without `clusters` also gets a kubeconfig on every cluster a selector brings in.
    if (user.clusters !== undefined || !/\{(cluster|region|account)\}/.test(template)) return;
    selectors.forEach((selector, j) => {
      const at = `bootstrap.selectors[${j}]`;
      if (selector?.namePattern === undefined) {
        throw new IamConfigError(
          `${where}.secretName: {cluster} on the clusters ${at} matches by tags alone could be any name, so the policy would name every secret; give that selector a namePattern, or list the user's clusters`,
        );
      }
      const pattern = exact('namePattern', selector.namePattern, `${at}.namePattern`);
      const regions = list(selector.regions).map((r, k) => exact('region', r, `${at}.regions[${k}]`));
      if (regions.length === 0) {
        throw new IamConfigError(
          `${where}.secretName: the clusters ${at} finds are told apart by region, and it names none, so the policy would name every region's secrets; give that selector regions, or list the user's clusters`,
        );
      }
      const accounts = list(selector.accounts).map((a, k) =>
        exact('account', String(a), `${at}.accounts[${k}]`),
      );
      // A found cluster's secret carries its account when it is known (always, when the selector
      // names accounts: it matches no other), and its region.
      const withAccount = template.replaceAll('{cluster}', '{account}/{region}/{cluster}');
      const forms = /\{(region|account)\}/.test(template)
        ? [template]
        : accounts.length > 0
          ? [withAccount]
          : [withAccount, template.replaceAll('{cluster}', '{region}/{cluster}')];
      for (const region of regions) {
        for (const account of accounts.length > 0 ? accounts : [`\${AWS::AccountId}`]) {
          for (const form of forms) names.add(expand(form, pattern, region, account, at));
        }
      }
      // The name such a secret had before, read until it is claimed (README: the upgrade).
      if (!/\{(region|account)\}/.test(template)) names.add(expand(template, pattern, '', undefined, at));
    });
  });
  return [...names].sort();
}

/**
 * The users whose secrets other accounts read (`readers:`), checked as the function checks them:
 * exact roles, and the stage's customer-managed key, without which no other account can decrypt.
 */
function readerUsers(config, kmsKeyArn) {
  return list(config.externalUsers).filter((user, i) => {
    const readers = list(user?.readers);
    readers.forEach((r, j) => {
      exact('roleArn', r, `externalUsers[${i}].readers[${j}]`);
    });
    if (readers.length > 0 && !kmsKeyArn) {
      throw new IamConfigError(
        `externalUsers[${i}].readers: the stage has no customer-managed KMS key (param secretsKmsKeyArn), and a secret encrypted with aws/secretsmanager cannot be read from another account`,
      );
    }
    return readers.length > 0;
  });
}

module.exports = { IamConfigError, exact, list, readerUsers, selectorRoleArns, secretNames };
