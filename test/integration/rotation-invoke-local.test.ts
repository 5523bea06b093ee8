import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { seedEksCluster } from '../../scripts/sandbox/seed';
import { secretsManagerClient } from '../support/aws-clients';
import { kubeconfigText, whoami } from '../support/rotation';
import { sandbox } from '../support/sandbox';
import { withServerlessLock } from '../support/serverless-lock';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** `serverless invoke local --stage sandbox -f rotateTokens` as the README's demo runs it, on this run's sandbox. */
async function invokeLocal(eventFile: string): Promise<{ result: Record<string, unknown>; stdout: string }> {
  const { stdout } = await withServerlessLock(() =>
    run(
      resolve(root, 'node_modules/.bin/serverless'),
      ['invoke', 'local', '--stage', 'sandbox', '-f', 'rotateTokens', '--path', eventFile],
      {
        cwd: root,
        env: { ...process.env, SANDBOX_ENV_FILE: inject('sandboxEnvFile') },
        maxBuffer: 10 * 1024 * 1024,
      },
    ),
  );
  // Log lines come first, one JSON object each; the invoke result is the pretty-printed object at the end.
  const start = stdout.lastIndexOf('\n{\n');
  const result = JSON.parse(stdout.slice(start === -1 ? stdout.indexOf('{') : start + 1)) as Record<
    string,
    unknown
  >;
  return { result, stdout };
}

describe('the demo: serverless invoke local --stage sandbox -f rotateTokens', () => {
  // As `npm run sandbox:up` seeds it; alone, this file found no cluster `sandbox` in moto.
  beforeAll(() => seedEksCluster(sandbox()));

  it('writes partner-ci a kubeconfig for the sandbox that kubectl can use, and no token to the output', {
    timeout: 180_000,
  }, async () => {
    // Act
    const { result, stdout } = await invokeLocal('events/rotate-tokens.json');

    // Assess
    expect(result).toMatchObject({
      trigger: 'manual',
      users: [{ user: 'partner-ci', cluster: 'sandbox', secret: 'eks-access-sync/sandbox/partner-ci' }],
    });
    const kubeconfig = await kubeconfigText('eks-access-sync/sandbox/partner-ci');
    expect(await whoami(kubeconfig)).toBe('system:serviceaccount:external-access:partner-ci');
    const token = kubeconfig.match(/token: (\S+)/)?.[1] ?? '';
    expect(token).not.toBe('');
    expect(stdout.includes(token)).toBe(false);
    // The example's reader of a second account: moto holds a policy granting it exactly the read
    // actions on this secret (moto stores the policy; it does not enforce it across accounts).
    const held = await secretsManagerClient().send(
      new GetResourcePolicyCommand({ SecretId: 'eks-access-sync/sandbox/partner-ci' }),
    );
    expect(JSON.parse(held.ResourcePolicy ?? '{}').Statement).toEqual([
      {
        Sid: 'EksAccessSyncReaders',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::444455556666:role/partner-ci-reader'] },
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: held.ARN,
      },
    ]);

    const scheduled = await invokeLocal('events/rotate-tokens-scheduled.json');
    expect(scheduled.result).toMatchObject({
      trigger: 'schedule',
      users: [{ user: 'partner-ci', status: 'unchanged' }],
      offboarded: [{ cluster: 'sandbox', status: 'unchanged' }],
    });
  });
});
