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

/**
 * The secret names of every external user's kubeconfigs, as IAM resource names (without the
 * 6-character suffix Secrets Manager adds). Listed clusters give exact names; clusters a bootstrap
 * selector will match give the selector's namePattern in place of `{cluster}`, which IAM matches
 * as the selector does. A selector with tags only could match any name: refused.
 */
function secretNames(config) {
  const clusters = list(config.clusters);
  const selectors = list(config.bootstrap?.selectors);
  const names = new Set();
  list(config.externalUsers).forEach((user, i) => {
    const where = `externalUsers[${i}]`;
    const name = exact('user', user?.name, `${where}.name`);
    const template = user.secretName ?? defaultSecretName;
    if (typeof template !== 'string' || !/^[\w/+=.@{}-]{1,512}$/.test(template)) {
      throw new IamConfigError(`${where}.secretName: ${JSON.stringify(template)} is not a secret name`);
    }
    const unknown = template.replaceAll('{cluster}', '').replaceAll('{name}', '');
    if (unknown.includes('{') || unknown.includes('}')) {
      throw new IamConfigError(
        `${where}.secretName: only {cluster} and {name} stand for something (${template})`,
      );
    }
    const secretFor = (cluster) => template.replaceAll('{cluster}', cluster).replaceAll('{name}', name);
    const own = user.clusters === undefined ? clusters.map((c) => c?.name) : list(user.clusters);
    own.forEach((cluster, j) => {
      names.add(secretFor(exact('cluster', cluster, `${where}.clusters[${j}]`)));
    });
    // A user without `clusters` also gets a kubeconfig on every cluster a selector brings in.
    if (user.clusters !== undefined || !template.includes('{cluster}')) return;
    selectors.forEach((selector, j) => {
      if (selector?.namePattern === undefined) {
        throw new IamConfigError(
          `${where}.secretName: {cluster} on the clusters bootstrap.selectors[${j}] matches by tags alone could be any name, so the policy would name every secret; give that selector a namePattern, or list the user's clusters`,
        );
      }
      names.add(
        secretFor(exact('namePattern', selector.namePattern, `bootstrap.selectors[${j}].namePattern`)),
      );
    });
  });
  return [...names].sort();
}

module.exports = { IamConfigError, exact, list, selectorRoleArns, secretNames };
