import { describe, expect, it } from 'vitest';
import { arnKey, authenticatorRoleArn, parsePrincipalArn } from '../../../src/domain/arn';
import { InvalidArnError } from '../../../src/domain/errors';

describe('parsePrincipalArn', () => {
  it.each([
    {
      arn: 'arn:aws:iam::111122223333:user/alice',
      kind: 'user',
      partition: 'aws',
      path: '/',
      name: 'alice',
    },
    {
      arn: 'arn:aws:iam::111122223333:user/engineering/platform/Alice.Smith@example.com',
      kind: 'user',
      partition: 'aws',
      path: '/engineering/platform/',
      name: 'Alice.Smith@example.com',
    },
    {
      arn: 'arn:aws:iam::111122223333:role/PlatformAdmin',
      kind: 'role',
      partition: 'aws',
      path: '/',
      name: 'PlatformAdmin',
    },
    {
      arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123456789abcdef',
      kind: 'role',
      partition: 'aws',
      path: '/aws-reserved/sso.amazonaws.com/eu-west-1/',
      name: 'AWSReservedSSO_Dev_0123456789abcdef',
    },
    {
      arn: 'arn:aws-cn:iam::111122223333:role/eks-admin',
      kind: 'role',
      partition: 'aws-cn',
      path: '/',
      name: 'eks-admin',
    },
    {
      arn: 'arn:aws-us-gov:iam::111122223333:user/ops/bob',
      kind: 'user',
      partition: 'aws-us-gov',
      path: '/ops/',
      name: 'bob',
    },
  ])('reads $arn as a $kind named $name with path $path in $partition', (expected) => {
    // Act
    const parsed = parsePrincipalArn(expected.arn);

    // Assess
    expect(parsed).toEqual({ ...expected, accountId: '111122223333' });
  });

  it('trims surrounding whitespace, as a copied ARN often has', () => {
    // Act
    const parsed = parsePrincipalArn('  arn:aws:iam::111122223333:user/alice\n');

    // Assess
    expect(parsed.arn).toBe('arn:aws:iam::111122223333:user/alice');
  });

  it.each([
    {
      arn: 'arn:aws:sts::111122223333:assumed-role/PlatformAdmin/alice@example.com',
      hint: 'arn:aws:iam::111122223333:role/PlatformAdmin',
    },
    {
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/alice',
      hint: 'arn:aws:iam::111122223333:role/AWSReservedSSO_Dev_0123456789abcdef',
    },
    {
      arn: 'arn:aws-cn:sts::111122223333:assumed-role/eks-admin/bob',
      hint: 'arn:aws-cn:iam::111122223333:role/eks-admin',
    },
  ])('rejects the STS assumed-role ARN $arn and names the role ARN to use', ({ arn, hint }) => {
    // Act
    const parse = () => parsePrincipalArn(arn, 'role');

    // Assess
    expect(parse).toThrow(InvalidArnError);
    expect(parse).toThrow(`use the role's IAM ARN instead (${hint})`);
  });

  it('rejects an STS federated-user ARN without inventing a role for it', () => {
    // Act
    const parse = () => parsePrincipalArn('arn:aws:sts::111122223333:federated-user/bob');

    // Assess
    expect(parse).toThrow(InvalidArnError);
    expect(parse).toThrow(/STS session ARN; use the IAM ARN of the user or role behind it/);
  });

  it.each([
    ['an empty string', ''],
    ['a group ARN', 'arn:aws:iam::111122223333:group/eks-admins'],
    ['the account root', 'arn:aws:iam::111122223333:root'],
    ['an account ID that is not 12 digits', 'arn:aws:iam::11112222333:user/alice'],
    ['a region in an IAM ARN', 'arn:aws:iam:us-east-1:111122223333:user/alice'],
    ['an unknown partition', 'arn:aws-moon:iam::111122223333:user/alice'],
    ['another service', 'arn:aws:s3:::my-bucket'],
    ['a missing name', 'arn:aws:iam::111122223333:role/'],
    ['a space in the name', 'arn:aws:iam::111122223333:user/alice smith'],
    ['a wildcard', 'arn:aws:iam::111122223333:role/*'],
    ['a name longer than 128 characters', `arn:aws:iam::111122223333:user/${'a'.repeat(129)}`],
    ['no arn: prefix', 'aws:iam::111122223333:user/alice'],
  ])('rejects %s as not an IAM user or role ARN', (_, arn) => {
    // Act
    const parse = () => parsePrincipalArn(arn);

    // Assess
    expect(parse).toThrow(InvalidArnError);
    expect(parse).toThrow(`${JSON.stringify(arn)} is not an IAM user or role ARN`);
  });

  it.each([
    { arn: 'arn:aws:iam::111122223333:user/alice', expected: 'role', kind: 'user' },
    { arn: 'arn:aws:iam::111122223333:role/Admin', expected: 'user', kind: 'role' },
  ] as const)('rejects a $kind ARN where a $expected ARN is needed', ({ arn, expected, kind }) => {
    // Act
    const parse = () => parsePrincipalArn(arn, expected);

    // Assess
    expect(parse).toThrow(`${arn} is an IAM ${kind} ARN where a ${expected} ARN is needed`);
  });
});

describe('authenticatorRoleArn', () => {
  it.each([
    [
      'drops the SSO path of a permission-set role',
      'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123456789abcdef',
      'arn:aws:iam::111122223333:role/AWSReservedSSO_Dev_0123456789abcdef',
    ],
    [
      'drops a service-role path',
      'arn:aws:iam::111122223333:role/service-role/ci-deployer',
      'arn:aws:iam::111122223333:role/ci-deployer',
    ],
    [
      'keeps a path-less role as it is',
      'arn:aws:iam::111122223333:role/PlatformAdmin',
      'arn:aws:iam::111122223333:role/PlatformAdmin',
    ],
    [
      'keeps the partition',
      'arn:aws-us-gov:iam::111122223333:role/ops/eks-admin',
      'arn:aws-us-gov:iam::111122223333:role/eks-admin',
    ],
  ])('%s', (_, arn, expected) => {
    // Act
    const written = authenticatorRoleArn(parsePrincipalArn(arn, 'role'));

    // Assess
    expect(written).toBe(expected);
  });
});

describe('arnKey', () => {
  it('compares ARNs case-insensitively, as the authenticator does', () => {
    // Act
    const keys = [
      ' arn:aws:iam::111122223333:role/PlatformAdmin',
      'ARN:AWS:IAM::111122223333:ROLE/platformadmin',
    ].map(arnKey);

    // Assess
    expect(keys).toEqual([
      'arn:aws:iam::111122223333:role/platformadmin',
      'arn:aws:iam::111122223333:role/platformadmin',
    ]);
  });
});
