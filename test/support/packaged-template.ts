import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { withServerlessLock } from './serverless-lock';

const root = resolve(import.meta.dirname, '../..');

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * Runs the real `serverless package` (no credentials, like CI) and returns the CloudFormation
 * template it generated, so tests check what would be deployed rather than a hand copy.
 */
export async function packagedTemplate(args: string[] = []): Promise<CfnTemplate> {
  const out = mkdtempSync(join(tmpdir(), 'sls-package-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_PROFILE;
  await withServerlessLock(() =>
    promisify(execFile)(
      resolve(root, 'node_modules/.bin/serverless'),
      ['package', '--package', out, ...args],
      {
        cwd: root,
        env,
        maxBuffer: 10 * 1024 * 1024,
      },
    ),
  );
  return JSON.parse(
    readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
}

/** Every EventBridge rule with an event pattern, by logical id. */
export function eventRules(template: CfnTemplate): Map<string, { pattern: unknown; targets: unknown[] }> {
  const rules = new Map<string, { pattern: unknown; targets: unknown[] }>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const pattern = resource.Properties?.EventPattern;
    if (resource.Type === 'AWS::Events::Rule' && pattern) {
      rules.set(id, { pattern, targets: (resource.Properties?.Targets as unknown[]) ?? [] });
    }
  }
  return rules;
}
