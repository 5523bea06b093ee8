import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, packagedTemplate } from '../support/packaged-template';

const root = resolve(import.meta.dirname, '../..');

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function statements(template: CfnTemplate): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const policies = [
      ...((resource.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? []).map(
        (p) => p.PolicyDocument,
      ),
      ...(resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
        ? [resource.Properties?.PolicyDocument as { Statement: Statement[] }]
        : []),
    ];
    for (const doc of policies)
      for (const statement of doc?.Statement ?? []) found.push({ where: id, statement });
  }
  return found;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const isRead = (action: string) => /^[\w-]+:(Get|List|Describe|Receive)/.test(action);
const isWildcard = (resource: unknown) =>
  resource === '*' ||
  (typeof resource === 'object' && JSON.stringify(resource) === JSON.stringify({ 'Fn::Sub': '*' }));

/** `service:Action` for every AWS SDK command the function code sends. */
function actionsTheCodeCalls(): Set<string> {
  const prefix: Record<string, string> = {
    iam: 'iam',
    eks: 'eks',
    sts: 'sts',
    'secrets-manager': 'secretsmanager',
    sqs: 'sqs',
    eventbridge: 'events',
    'cloudwatch-logs': 'logs',
  };
  const actions = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g)) {
          const service = prefix[m[2] as string];
          for (const name of (m[1] as string).split(',')) {
            const command = /(\w+)Command\b/.exec(name.replace(/type\s+/, '').trim());
            if (service && command && new RegExp(`new ${command[1]}Command\\(`).test(text))
              actions.add(`${service}:${command[1]}`);
          }
        }
      }
    }
  };
  walk(resolve(root, 'src'));
  return actions;
}

describe('the IAM policy serverless.yml generates (least privilege)', () => {
  let templates: { name: string; template: CfnTemplate }[];
  beforeAll(async () => {
    const config = '--param=accessConfig=examples/sandbox/access.yaml';
    templates = [
      {
        name: 'serverless.yml',
        template: await packagedTemplate(['--stage', 'policy', '--region', 'eu-west-1', config]),
      },
      {
        name: 'serverless.forwarder.yml',
        template: await packagedTemplate(['--config', 'serverless.forwarder.yml']),
      },
    ];
  }, 180_000);

  it('has no wildcard action and no wildcard resource on a write', () => {
    const problems: string[] = [];
    for (const { name, template } of templates) {
      for (const { where, statement } of statements(template)) {
        for (const action of list(statement.Action)) {
          if (action.includes('*')) problems.push(`${name} ${where}: wildcard action ${action}`);
          if (!isRead(action) && list(statement.Resource).some(isWildcard)) {
            problems.push(`${name} ${where}: ${action} on Resource "*"`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('grants every AWS action the code calls, and nothing the code does not call', () => {
    const granted = new Set(
      statements(templates[0]?.template as CfnTemplate)
        .filter((s) => s.where.startsWith('IamRole'))
        .flatMap((s) => list(s.statement.Action))
        // Granted by the framework for logs and the SQS event source, not called by our code.
        .filter(
          (a) => !a.startsWith('logs:') && !/^sqs:(ReceiveMessage|DeleteMessage|GetQueueAttributes)$/.test(a),
        ),
    );
    const called = actionsTheCodeCalls();
    expect([...called].filter((a) => !granted.has(a)).sort()).toEqual([]);
    expect([...granted].filter((a) => !called.has(a)).sort()).toEqual([]);
  });
});
