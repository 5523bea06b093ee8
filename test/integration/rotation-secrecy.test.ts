import { randomUUID } from 'node:crypto';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { secretsManagerClient } from '../support/aws-clients';
import { configFile, everyToken, rotationScenario } from '../support/rotation';

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Everything written to stdout, stderr or the console while `work` runs: Powertools logs and metrics
 * write to the streams, a stray console call would go through vitest's console.
 */
async function captured(work: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const [out, err] = [process.stdout.write, process.stderr.write];
  const saved = consoleMethods.map((m) => console[m]);
  const keep = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  for (const m of consoleMethods)
    console[m] = (...args: unknown[]) =>
      keep(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  try {
    await work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    consoleMethods.forEach((m, i) => {
      console[m] = saved[i] as never;
    });
  }
  return chunks.join('');
}

const context = {
  functionName: 'eks-access-sync-test-rotateTokens',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eks-access-sync-test-rotateTokens',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 60_000,
};

describe('secrecy of tokens (docs/invariants.md, invariant 7)', () => {
  const s = rotationScenario();
  const saved = { ...process.env };

  beforeAll(() => {
    // The real handler, configured as `invoke local --stage sandbox` configures it.
    process.env.ACCESS_CONFIG_PATH = configFile(s.config);
    process.env.SANDBOX_ENV_FILE = inject('sandboxEnvFile');
  });
  afterAll(() => {
    process.env = saved;
  });

  it('never puts a token or a kubeconfig in a log line, a metric, an error or an invoke result', async () => {
    // Prepare
    const { handler } = await import('../../handlers/rotate-tokens');
    const invoke = (event: unknown) => handler(event as never, context as never);
    const results: unknown[] = [];
    const errors: string[] = [];
    const attempt = async (event: unknown) => {
      try {
        results.push(await invoke(event));
      } catch (error) {
        errors.push(
          `${(error as Error).message}\n${(error as Error).stack}\n${String((error as Error).cause)}`,
        );
      }
    };

    // Act: every trigger, a successful rotation through every path and failing steps.
    const output = await captured(async () => {
      await attempt({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
      await attempt({ user: s.user, force: true });
      const SecretId = (
        await secretsManagerClient().send(new DescribeSecretCommand({ SecretId: s.secretName }))
      ).ARN;
      const token = randomUUID();
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await attempt({ Step, SecretId, ClientRequestToken: token });
      }
      await attempt({ Step: 'testSecret', SecretId, ClientRequestToken: randomUUID() });
      await attempt({ Step: 'createSecret', SecretId, ClientRequestToken: randomUUID() });
      await attempt({ user: s.user, cluster: 'elsewhere' });
      await attempt({ nothing: 'known' });
    });

    // Assess
    const tokens = await everyToken(s.secretName);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    expect(errors).toHaveLength(1);
    expect(output).toContain('"message":"kubeconfig issued"');
    expect(output).toContain('"message":"rotation step finishSecret done"');
    expect(output).toContain('"RotationsDone"');
    const everything = [output, JSON.stringify(results), ...errors].join('\n');
    for (const token of tokens) {
      // A JWT's signature is its last segment: no 16 characters of it, from either end, appear.
      const signature = token.split('.')[2] ?? token;
      for (const part of [token, signature.slice(0, 16), signature.slice(-16)]) {
        expect(everything.includes(part), 'a token leaked').toBe(false);
      }
    }
    expect(everything).not.toContain('certificate-authority-data');
    expect(everything).not.toContain('token:');
  });
});
