// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders, not JavaScript templates
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, packagedTemplate } from '../support/packaged-template';

const root = resolve(import.meta.dirname, '../..');

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
/** The text of a resource, whether a plain string or an Fn::Sub. */
const subText = (value: unknown): string =>
  typeof value === 'string' ? value : String((value as { 'Fn::Sub'?: string })['Fn::Sub']);
const isRead = (action: string) => /^[\w-]+:(Get|List|Describe|Receive)/.test(action);
const functions = {
  syncAccess: 'SyncAccessRole',
  rotateTokens: 'RotateTokensRole',
  bootstrapCluster: 'BootstrapClusterRole',
  reviewAccess: 'ReviewAccessRole',
};
const handlerOf: Record<string, string> = {
  syncAccess: 'handlers/sync-access.ts',
  rotateTokens: 'handlers/rotate-tokens.ts',
  bootstrapCluster: 'handlers/bootstrap-cluster.ts',
  reviewAccess: 'handlers/review-access.ts',
};
/**
 * Granted by the framework around the code (logs, the SQS event source), used by Secrets Manager on
 * the function's behalf (the customer-managed key, kms:ViaService), or needing no grant at all.
 */
const notCalledByCode =
  /^(logs:|sqs:(ReceiveMessage|DeleteMessage|GetQueueAttributes)$|kms:(Decrypt|GenerateDataKey)$)/;
const needsNoGrant = new Set(['sts:GetCallerIdentity']);
/** Granted only when the config has something that needs them. */
const whenConfigured =
  /^(eks:(ListAccessEntries|CreateAccessEntry|DescribeAccessEntry|UpdateAccessEntry|DeleteAccessEntry|ListAssociatedAccessPolicies|AssociateAccessPolicy|DisassociateAccessPolicy|TagResource)|sts:AssumeRole|iam:(GetGroup|ListRoles)|secretsmanager:(PutResourcePolicy|ValidateResourcePolicy))$/;

function statements(template: CfnTemplate, resourceId?: string): Statement[] {
  return Object.entries(template.Resources)
    .filter(([id]) => resourceId === undefined || id === resourceId)
    .flatMap(([, r]) =>
      ((r.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? []).flatMap(
        (p) => p.PolicyDocument.Statement,
      ),
    );
}

/** `service:Action` for every AWS SDK command sent by the source files bundled into one handler. */
async function actionsCalledBy(handler: string): Promise<Set<string>> {
  const prefix: Record<string, string> = {
    iam: 'iam',
    eks: 'eks',
    sts: 'sts',
    'secrets-manager': 'secretsmanager',
    sqs: 'sqs',
    eventbridge: 'events',
    s3: 's3',
  };
  const result = await build({
    entryPoints: [resolve(root, handler)],
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outdir: '/tmp/iam-policy-test',
  });
  const actions = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs).filter((f) => f.startsWith('src/'))) {
    const text = readFileSync(resolve(root, input), 'utf8');
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g)) {
      const service = prefix[m[2] as string];
      for (const name of (m[1] as string).split(',')) {
        const command = /(\w+)Command\b/.exec(name.replace(/type\s+/, '').trim());
        if (service && command && new RegExp(`new ${command[1]}Command\\(`).test(text))
          actions.add(`${service}:${command[1]}`);
      }
    }
  }
  return actions;
}

describe('the IAM policies serverless.yml generates (least privilege)', () => {
  let example: CfnTemplate;
  let everyFeature: CfnTemplate;
  let forwarder: CfnTemplate;
  let hostile: CfnTemplate;
  beforeAll(async () => {
    example = await packagedTemplate([
      '--stage',
      'policy',
      '--region',
      'eu-west-1',
      '--param=accessConfig=examples/sandbox/access.yaml',
      // The example's readers need the stage's customer-managed key.
      '--param=secretsKmsKeyArn=arn:aws:kms:eu-west-1:111122223333:key/0123abcd-0123-4567-89ab-0123456789ab',
    ]);
    everyFeature = await packagedTemplate([
      '--stage',
      'policy',
      '--region',
      'eu-west-1',
      '--param=accessConfig=test/fixtures/config/every-feature.yaml',
      '--param=secretsKmsKeyArn=arn:aws:kms:eu-west-1:111122223333:key/0123abcd-0123-4567-89ab-0123456789ab',
    ]);
    forwarder = await packagedTemplate(['--config', 'serverless.forwarder.yml']);
    hostile = await packagedTemplate([
      '--stage',
      'hostile',
      '--region',
      'eu-west-1',
      '--param=accessConfig=test/fixtures/config/hostile-accepted.yaml',
    ]);
  }, 240_000);

  it('gives every function a role of its own, and no shared role exists', () => {
    for (const [fn, role] of Object.entries(functions)) {
      const lambda = Object.entries(example.Resources).find(
        ([, r]) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r).includes(`"${role}"`),
      );
      expect(lambda, fn).toBeDefined();
    }
    expect(example.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('has no wildcard action and no wildcard resource on a write', () => {
    const problems: string[] = [];
    for (const [name, template] of Object.entries({ example, everyFeature, forwarder, hostile })) {
      for (const statement of statements(template)) {
        for (const action of list(statement.Action)) {
          if (action.includes('*')) problems.push(`${name}: wildcard action ${action}`);
          if (!isRead(action) && list(statement.Resource).some((r) => r === '*'))
            problems.push(`${name}: ${action} on "*"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(Object.entries(functions))('grants %s exactly what its code calls', async (fn, role) => {
    const called = await actionsCalledBy(handlerOf[fn] as string);
    const granted = (template: CfnTemplate) =>
      new Set(
        statements(template, role)
          .flatMap((s) => list(s.Action))
          .filter((a) => !notCalledByCode.test(a)),
      );

    const full = granted(everyFeature);
    expect([...full].filter((a) => !called.has(a)).sort()).toEqual([]);
    expect([...called].filter((a) => !full.has(a) && !needsNoGrant.has(a)).sort()).toEqual([]);
    // With the example config (no access-entry clusters, no other accounts) those grants are left out.
    const lean = granted(example);
    expect(
      [...called].filter((a) => !lean.has(a) && !needsNoGrant.has(a) && !whenConfigured.test(a)).sort(),
    ).toEqual([]);
    expect([...lean].filter((a) => !called.has(a)).sort()).toEqual([]);
  });

  it('names each kubeconfig secret exactly, a selector cluster by its namePattern, never every secret', () => {
    const writes = statements(everyFeature, 'RotateTokensRole').filter((s) =>
      list(s.Action).includes('secretsmanager:PutSecretValue'),
    );
    expect(writes.flatMap((s) => list(s.Resource)).map(subText)).toEqual([
      // A found cluster: by account, region and namePattern (it is told apart from its namesakes) …
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:partners/555566667777/eu-west-1/team-*/partner-ci-??????',
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:partners/888899990000/eu-west-1/team-*/partner-ci-??????',
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:partners/partner/partner-ci-??????',
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:partners/prod/partner-ci-??????',
      // … and the name it had before, read until claimed (README: the upgrade).
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:partners/team-*/partner-ci-??????',
    ]);
  });

  it("writes resource policies only on the secrets of users with readers, never on another's", () => {
    const writes = statements(everyFeature, 'RotateTokensRole').filter((s) =>
      list(s.Action).includes('secretsmanager:PutResourcePolicy'),
    );
    expect(writes.map((s) => list(s.Action).sort())).toEqual([
      ['secretsmanager:PutResourcePolicy', 'secretsmanager:ValidateResourcePolicy'],
    ]);
    // partner-ci is the only user of every-feature.yaml, and it has a reader: exactly its secrets.
    const secretsOfUsers = statements(everyFeature, 'RotateTokensRole')
      .filter((s) => list(s.Action).includes('secretsmanager:PutSecretValue'))
      .flatMap((s) => list(s.Resource));
    expect(writes.flatMap((s) => list(s.Resource))).toEqual(secretsOfUsers);
    // The example config's partner-ci has a reader of a second account: its one secret.
    expect(
      statements(example, 'RotateTokensRole')
        .filter((s) => list(s.Action).includes('secretsmanager:PutResourcePolicy'))
        .flatMap((s) => list(s.Resource))
        .map(subText),
    ).toEqual([
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:eks-access-sync/sandbox/partner-ci-??????',
    ]);
  });

  it('puts rotation notices on the default bus only, as eks-access-sync with its two detail types', () => {
    for (const role of ['RotateTokensRole', 'BootstrapClusterRole']) {
      const puts = statements(everyFeature, role).filter((s) => list(s.Action).includes('events:PutEvents'));
      expect(puts).toEqual([
        {
          Effect: 'Allow',
          Action: ['events:PutEvents'],
          Resource: [
            { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' },
          ],
          Condition: {
            StringEquals: {
              'events:source': 'eks-access-sync',
              'events:detail-type': ['Kubeconfig Rotated', 'Kubeconfig Rotation Failed'],
            },
          },
        },
      ]);
    }
    expect(statements(everyFeature, 'SyncAccessRole').flatMap((s) => list(s.Action))).not.toContain(
      'events:PutEvents',
    );
  });

  it('lets only the functions that sync list IAM roles, and only when the config maps a permission set', () => {
    const listsRoles = (template: CfnTemplate) =>
      Object.values(functions)
        .filter((role) => statements(template, role).some((s) => list(s.Action).includes('iam:ListRoles')))
        .sort();
    expect(listsRoles(everyFeature)).toEqual(['BootstrapClusterRole', 'SyncAccessRole']);
    expect(listsRoles(example)).toEqual([]);
    // Its access entry, on the access-entries cluster: the SSO role of that set, by name, path or not.
    const creates = statements(everyFeature, 'SyncAccessRole').find((s) =>
      list(s.Action).includes('eks:CreateAccessEntry'),
    ) as Statement & { Condition: { ArnLike: { 'eks:principalArn': unknown[] } } };
    expect(creates.Condition.ArnLike['eks:principalArn'].map(subText)).toContain(
      'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Developer_*',
    );
  });
});
