import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { seedSandbox } from '../../scripts/sandbox/seed';
import { kubeClient } from '../../src/adapters/kubernetes/kube-client';
import { parseAwsAuth } from '../../src/domain/aws-auth';
import { sandbox } from '../support/sandbox';
import { withServerlessLock } from '../support/serverless-lock';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** `serverless invoke local --stage sandbox` exactly as the README's demo runs it, on this run's sandbox. */
async function invokeLocal(eventFile: string): Promise<Record<string, unknown>> {
  const { stdout } = await withServerlessLock(() =>
    run(
      resolve(root, 'node_modules/.bin/serverless'),
      ['invoke', 'local', '--stage', 'sandbox', '-f', 'syncAccess', '--path', eventFile],
      {
        cwd: root,
        env: { ...process.env, SANDBOX_ENV_FILE: inject('sandboxEnvFile') },
        maxBuffer: 10 * 1024 * 1024,
      },
    ),
  );
  // Log lines come first, one JSON object each; the invoke result is the pretty-printed object at the end.
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start === -1 ? stdout.indexOf('{') : start + 1)) as Record<string, unknown>;
}

describe('the README demo: serverless invoke local --stage sandbox', () => {
  const env = sandbox();
  const kube = kubeClient({ server: env.kube.server, caData: env.kube.caData, token: env.kube.adminToken });
  const awsAuth = async () =>
    (await kube.get<{ data: Record<string, string>; metadata: { resourceVersion: string } }>(
      '/api/v1/namespaces/kube-system/configmaps/aws-auth',
    )) ?? { data: {}, metadata: { resourceVersion: '' } };

  beforeAll(async () => {
    await seedSandbox(env);
  });

  it('plans, applies an event, reconciles, stays idempotent and rolls back', {
    timeout: 180_000,
  }, async () => {
    const seeded = await awsAuth();

    const plan = await invokeLocal('events/sync-plan.json');
    expect(plan).toMatchObject({
      command: 'reconcile',
      clusters: [{ cluster: 'sandbox', status: 'planned' }],
    });
    expect((await awsAuth()).metadata.resourceVersion).toBe(seeded.metadata.resourceVersion);

    const added = await invokeLocal('events/iam-add-user-to-group.json');
    expect(added).toMatchObject({
      command: 'membership',
      clusters: [{ status: 'updated', added: ['arn:aws:iam::123456789012:user/carol'], removed: [] }],
    });

    const applied = await invokeLocal('events/sync-apply.json');
    expect(applied).toMatchObject({ clusters: [{ status: 'updated', removed: [] }] });
    const arns = parseAwsAuth((await awsAuth()).data).entries.map((e) => e.arn);
    expect(arns).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::123456789012:role/eks-node-group-role',
        'arn:aws:iam::123456789012:role/eks-fargate-pod-execution-role',
        'arn:aws:iam::123456789012:role/eks-windows-node-role',
        'arn:aws:iam::123456789012:role/AWSReservedSSO_Developer_0123456789abcdef',
        'arn:aws:iam::123456789012:user/ann',
        'arn:aws:iam::123456789012:user/carol',
      ]),
    );

    const again = await invokeLocal('events/sync-apply.json');
    expect(again).toMatchObject({ clusters: [{ status: 'unchanged' }] });

    const rolledBack = await invokeLocal('events/sync-rollback.json');
    expect(rolledBack).toMatchObject({ command: 'rollback', clusters: [{ status: 'updated' }] });
    const restored = parseAwsAuth((await awsAuth()).data).entries.map((e) => e.arn);
    expect(restored).toContain('arn:aws:iam::123456789012:user/carol');
    expect(restored).not.toContain('arn:aws:iam::123456789012:user/ann');
  });

  it('rejects an event it does not know with a clear message, without retrying', {
    timeout: 60_000,
  }, async () => {
    const rejected = await invokeLocal('test/fixtures/events/ec2-run-instances.json');
    expect(String(rejected.rejected)).toMatch(/not an event syncAccess handles/);
  });
});
