import { describe, expect, it } from 'vitest';
import { type RotateTokensSummary, rotateTokens } from '../../../src/app/rotation/rotate-tokens';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';
import {
  InvalidReaderError,
  normalPolicy,
  readersWithoutKey,
  readPolicy,
  readPolicyProblems,
} from '../../../src/domain/rotation/secret-readers';
import { fakeDeps } from './fakes';

const secretArn =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:eks-access-sync/prod-east/partner-ci-AbCdEf';
const partner = 'arn:aws:iam::210987654321:role/partner-ci';
const auditor = 'arn:aws:iam::555566667777:role/ci/auditor';
const schedule = { kind: 'schedule', why: 'schedule' } as const;

const configWith = (readers: string) => `
clusters:
  - name: prod-east
    region: us-east-1
externalUsers:
  - name: partner-ci
    namespace: external-access
    clusterRole: edit
    readers: ${readers}
`;

function issuesOf(readers: string) {
  try {
    parseAccessConfig(configWith(readers));
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues;
  }
}

describe('readers: in access.yaml', () => {
  it('takes exact role ARNs of other accounts and defaults to none', () => {
    // Act
    const config = parseAccessConfig(configWith(`[${partner}]`));
    const none = parseAccessConfig(configWith('[]').replace(/ {4}readers: \[\]\n/, ''));

    // Assess
    expect(config.externalUsers[0]?.readers).toEqual([partner]);
    expect(none.externalUsers[0]?.readers).toEqual([]);
  });

  it('refuses wildcards, non-role principals, STS sessions and duplicates, saying where', () => {
    // Act
    const issues = issuesOf(
      `["arn:aws:iam::210987654321:role/*", "*", "arn:aws:iam::210987654321:user/bob", "arn:aws:sts::210987654321:assumed-role/ci/s", ${partner}, "${partner.replace('partner-ci', 'Partner-CI')}"]`,
    );

    // Assess
    expect(issues.map((i) => i.path.replace(/ \(line \d+\)/, ''))).toEqual([
      'externalUsers[0].readers[0]',
      'externalUsers[0].readers[1]',
      'externalUsers[0].readers[2]',
      'externalUsers[0].readers[3]',
      'externalUsers[0].readers[5]',
    ]);
    expect(issues[0]?.message).toMatch(/wildcard/);
    expect(issues[2]?.message).toMatch(/user ARN where a role ARN is needed/);
    expect(issues[3]?.message).toMatch(/STS session ARN/);
    expect(issues[4]?.message).toMatch(/listed twice/);
  });

  it('is a config error without the stage customer-managed key, saying why', () => {
    // Prepare
    const users = parseAccessConfig(configWith(`[${partner}]`)).externalUsers;

    // Act
    const keyless = readersWithoutKey(users, undefined);
    const keyed = readersWithoutKey(
      users,
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );

    // Assess
    expect(keyless).toEqual([
      {
        path: 'externalUsers[0].readers',
        message: expect.stringMatching(
          /no customer-managed KMS key.*aws\/secretsmanager cannot be read from another account/,
        ),
      },
    ]);
    expect(keyed).toEqual([]);
  });
});

describe('the read policy of a secret', () => {
  it('grants exactly the readers, sorted, the two read actions, on that secret only', () => {
    // Act
    const policy = JSON.parse(readPolicy(secretArn, [partner, auditor]) ?? '');

    // Assess
    expect(policy.Statement).toEqual([
      {
        Sid: 'EksAccessSyncReaders',
        Effect: 'Allow',
        Principal: { AWS: [partner, auditor].sort() },
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: secretArn,
      },
    ]);
    expect(readPolicyProblems(JSON.stringify(policy), secretArn)).toEqual([]);
  });

  it('is no policy at all when there are no readers', () => {
    expect(readPolicy(secretArn, [])).toBeUndefined();
  });

  it("refuses a reader of the secret's own account", () => {
    expect(() => readPolicy(secretArn, ['arn:aws:iam::123456789012:role/ops'])).toThrow(InvalidReaderError);
    expect(() => readPolicy(secretArn, ['arn:aws:iam::123456789012:role/ops'])).toThrow(
      /own account 123456789012/,
    );
  });

  it('finds what would widen a policy: any action, a wildcard principal, another resource, own account', () => {
    // Prepare
    const wide = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'secretsmanager:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'secretsmanager:GetSecretValue',
          Resource: secretArn,
        },
      ],
    });

    // Act
    const problems = readPolicyProblems(wide, secretArn);

    // Assess
    expect(problems).toEqual([
      'actions other than secretsmanager:DescribeSecret and secretsmanager:GetSecretValue: secretsmanager:*',
      `a resource other than ${secretArn}`,
      'a wildcard principal *',
      "a principal of the secret's own account: arn:aws:iam::123456789012:root",
    ]);
  });

  it('compares policies by what they grant, not by their text', () => {
    // Prepare
    const ours = readPolicy(secretArn, [partner, auditor]) ?? '';
    const reformatted = JSON.stringify(JSON.parse(ours), null, 2).replace(
      JSON.stringify([auditor, partner].sort(), null, 2).replace(/\n/g, '\n      '),
      JSON.stringify([partner, auditor]),
    );

    // Assess
    expect(normalPolicy(reformatted)).toBe(normalPolicy(ours));
    expect(normalPolicy(readPolicy(secretArn, [partner]))).not.toBe(normalPolicy(ours));
  });
});

describe('rotateTokens keeps the resource policy to the readers', () => {
  it('grants the readers, writes nothing when unchanged, rewrites on removal and deletes when none is left', async () => {
    // Prepare
    const fake = fakeDeps(configWith(`[${partner}, ${auditor}]`));
    const run = async () => ((await rotateTokens(fake.deps)(schedule)) as RotateTokensSummary).users[0];
    const policyOf = () =>
      JSON.parse(fake.secrets.policies.get('eks-access-sync/prod-east/partner-ci') ?? 'null');

    // Act
    const first = await run();
    const granted = policyOf();
    const again = await run();
    fake.deps.config = parseAccessConfig(configWith(`[${auditor}]`));
    const narrowed = await run();
    const afterRemoval = policyOf();
    fake.deps.config = parseAccessConfig(configWith('[]'));
    const emptied = await run();

    // Assess
    expect(first).toMatchObject({
      status: 'issued',
      readers: { policy: 'updated', readers: [auditor, partner].sort() },
    });
    expect(granted.Statement[0].Principal.AWS).toEqual([auditor, partner].sort());
    expect(granted.Statement[0].Resource).toMatch(
      /^arn:aws:secretsmanager:.*:secret:eks-access-sync\/prod-east\/partner-ci-/,
    );
    expect(again).toMatchObject({ status: 'unchanged', readers: { policy: 'unchanged' } });
    expect(narrowed).toMatchObject({
      status: 'unchanged',
      readers: { policy: 'updated', readers: [auditor] },
    });
    expect(afterRemoval.Statement[0].Principal.AWS).toEqual([auditor]);
    expect(emptied).toMatchObject({ status: 'unchanged', readers: { policy: 'removed', readers: [] } });
    expect(fake.secrets.policies.size).toBe(0);
    expect(fake.secrets.calls.filter((c) => c.endsWith('policy'))).toEqual([
      'put policy',
      'put policy',
      'delete policy',
    ]);
  });

  it("replaces a policy someone else put on the tool's secret", async () => {
    // Prepare
    const fake = fakeDeps(configWith(`[${partner}]`));
    await rotateTokens(fake.deps)(schedule);
    fake.secrets.policies.set(
      'eks-access-sync/prod-east/partner-ci',
      JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*' }],
      }),
    );

    // Act
    const summary = (await rotateTokens(fake.deps)(schedule)) as RotateTokensSummary;

    // Assess
    expect(summary.users[0]).toMatchObject({ readers: { policy: 'updated' } });
    expect(
      JSON.parse(fake.secrets.policies.get('eks-access-sync/prod-east/partner-ci') ?? '').Statement[0]
        .Principal,
    ).toEqual({ AWS: [partner] });
  });

  it('reports a policy that cannot be written as the run error, naming the secret, and keeps the kubeconfig', async () => {
    // Prepare
    const fake = fakeDeps(configWith(`[${partner}]`));
    fake.secrets.putResourcePolicy = async () => {
      throw new Error('MalformedPolicyDocumentException: blocked');
    };

    // Act
    const summary = (await rotateTokens(fake.deps)(schedule)) as RotateTokensSummary;

    // Assess
    expect(summary.users[0]).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(
        /^keeping the readers of secret eks-access-sync\/prod-east\/partner-ci \(the kubeconfig was issued\): MalformedPolicy/,
      ),
      expiresAt: expect.any(String),
    });
    expect(fake.secrets.secrets.get('eks-access-sync/prod-east/partner-ci')?.stages).toEqual({
      [summary.users[0]?.versionId ?? '']: ['AWSCURRENT'],
    });
  });
});
