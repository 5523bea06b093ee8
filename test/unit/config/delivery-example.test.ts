import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredEntries } from '../../../src/domain/aws-auth/desired-state';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { readersWithoutKey, readPolicy } from '../../../src/domain/rotation/secret-readers';

const examples = resolve(import.meta.dirname, '../../../examples/delivery');
const read = (file: string) => readFileSync(resolve(examples, file), 'utf8');
const config = parseAccessConfig(read('access.yaml'), 'examples/delivery/access.yaml');

describe('examples/delivery (README: external users)', () => {
  it('maps the OIDC CI roles and the partner role like any role: mapRoles, without their path', () => {
    // Act
    const roles = desiredEntries(config, 'prod-east', new Map()).filter((e) => e.section === 'mapRoles');

    // Assess
    expect(roles.map((e) => [e.arn, e.username, e.groups])).toEqual([
      ['arn:aws:iam::111122223333:role/acme-ci', 'acme-ci', ['partner-acme']],
      ['arn:aws:iam::111122223333:role/github-deployer', 'github-deployer', ['deployers']],
      ['arn:aws:iam::111122223333:role/gitlab-deployer', 'gitlab-deployer', ['deployers']],
    ]);
  });

  it.each([
    ['github-actions-trust-policy.json', 'token.actions.githubusercontent.com', 'sts.amazonaws.com'],
    ['gitlab-trust-policy.json', 'gitlab.com', 'https://gitlab.com'],
  ])(
    '%s lets in one repository and branch only: exact sub and aud, no wildcard',
    (file, issuer, audience) => {
      // Act
      const [statement] = JSON.parse(read(file)).Statement;

      // Assess
      expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(statement.Principal.Federated).toMatch(new RegExp(`:oidc-provider/${issuer}$`));
      expect(Object.keys(statement.Condition)).toEqual(['StringEquals']);
      expect(statement.Condition.StringEquals[`${issuer}:aud`]).toBe(audience);
      expect(statement.Condition.StringEquals[`${issuer}:sub`]).toMatch(
        /^(repo|project_path):[\w.-]+\/[\w.-]+:ref/,
      );
      expect(JSON.stringify(statement)).not.toMatch(/\*/);
    },
  );

  it('gives partner-ci a reader of a second account, which needs the stage key, and a policy for exactly it', () => {
    // Prepare
    const user = config.externalUsers.find((u) => u.name === 'partner-ci');
    const secretArn =
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:eks-access-sync/prod-east/partner-ci-AbCdEf';

    // Act
    const policy = JSON.parse(readPolicy(secretArn, user?.readers ?? []) ?? '{}');

    // Assess
    expect(user?.readers).toEqual(['arn:aws:iam::444455556666:role/partner-ci-reader']);
    expect(readersWithoutKey(config.externalUsers, undefined)).toHaveLength(1);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { AWS: ['arn:aws:iam::444455556666:role/partner-ci-reader'] },
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: secretArn,
      }),
    ]);
  });
});
