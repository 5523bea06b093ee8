import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { kubeBinary } from '../../scripts/sandbox/kube';
import { seedSandbox } from '../../scripts/sandbox/seed';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { coreApi, found } from '../support/kube-clients';
import { sandbox } from '../support/sandbox';
import { withServerlessLock } from '../support/serverless-lock';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** `serverless invoke local --stage sandbox` exactly as the README's demo runs it, on this run's sandbox. */
async function invokeLocal(
  eventFile: string,
  fn = 'syncAccess',
  extra: string[] = [],
): Promise<Record<string, unknown>> {
  const { stdout } = await withServerlessLock(() =>
    run(
      resolve(root, 'node_modules/.bin/serverless'),
      ['invoke', 'local', '--stage', 'sandbox', '-f', fn, '--path', eventFile, ...extra],
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

/** The sandbox's one kube-system/aws-auth, which both demos below work on. */
function sandboxAwsAuth() {
  const env = sandbox();
  const kube = coreApi(env.kube.adminToken, env);
  const awsAuth = async () =>
    ((await found(kube.readNamespacedConfigMap({ name: 'aws-auth', namespace: 'kube-system' }))) as
      | { data: Record<string, string>; metadata: { resourceVersion: string } }
      | undefined) ?? { data: {}, metadata: { resourceVersion: '' } };
  return { env, awsAuth };
}

describe('the README demo: serverless invoke local --stage sandbox', () => {
  const { env, awsAuth } = sandboxAwsAuth();

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

// After the syncAccess demo, in the same file: both work on the sandbox's one kube-system/aws-auth.
describe('the bootstrap demo: serverless invoke local --stage sandbox -f bootstrapCluster', () => {
  const { env, awsAuth } = sandboxAwsAuth();
  let kubeconfigFile = '';
  let accessConfig = '';
  const kubectl = (...args: string[]) =>
    run(kubeBinary(), ['kubectl', '--kubeconfig', kubeconfigFile, ...args], { maxBuffer: 10 * 1024 * 1024 });
  /** `kubectl auth can-i`: its answer, whatever the exit code (1 means no). */
  const canI = async (...args: string[]) =>
    (await kubectl('auth', 'can-i', ...args).catch((e: { stdout: string }) => e)).stdout.trim();

  beforeAll(async () => {
    await seedSandbox(env);
    const dir = mkdtempSync(join(tmpdir(), 'bootstrap-demo-'));
    kubeconfigFile = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfigFile,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'sandbox',
            cluster: { server: env.kube.server, 'certificate-authority-data': env.kube.caData },
          },
        ],
        users: [{ name: 'admin', user: { token: env.kube.adminToken } }],
        contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'admin' } }],
        'current-context': 'sandbox',
      }),
      { mode: 0o600 },
    );
    // The example config without its external users: the rotateTokens demo (another test file)
    // issues partner-ci's first kubeconfig meanwhile, and two first issues would race.
    const example = parse(readFileSync(resolve(root, 'examples/sandbox/access.yaml'), 'utf8'));
    delete example.externalUsers;
    accessConfig = join(dir, 'access.yaml');
    writeFileSync(accessConfig, stringify(example));
  });

  it('bootstraps the sandbox cluster from the CreateCluster event, and a second run changes nothing', {
    timeout: 180_000,
  }, async () => {
    // Act
    const first = await invokeLocal('events/eks-create-cluster.json', 'bootstrapCluster', [
      `--param=accessConfig=${accessConfig}`,
    ]);

    // Assess: the RBAC objects are there, as kubectl shows them, and they grant what they say
    expect(first).toMatchObject({
      cluster: 'sandbox',
      status: 'bootstrapped',
      clusterStatus: 'ACTIVE',
      authenticationMode: 'CONFIG_MAP',
      selfAccess: 'present',
      rbac: { conflicts: [] },
      mappings: { cluster: 'sandbox', removed: [] },
    });
    const listed = await kubectl(
      'get',
      'clusterroles,clusterrolebindings,rolebindings',
      '-A',
      '-l',
      'eks-access-sync.io/part-of=bootstrap-rbac',
      '-o',
      'json',
    );
    // Other test files bootstrap their own clusters on the same apiserver: keep the sandbox's.
    type Item = { kind: string; metadata: { name: string; annotations?: Record<string, string> } };
    const made = (JSON.parse(listed.stdout) as { items: Item[] }).items
      .filter((i) => i.metadata.annotations?.['eks-access-sync.io/cluster'] === 'sandbox')
      .map((i) => `${i.kind} ${i.metadata.name}`)
      .sort();
    expect(made).toEqual([
      'ClusterRole cluster-reader',
      'ClusterRole deployer',
      'ClusterRoleBinding eks-access-sync:group:cluster-reader:cluster-reader',
      'RoleBinding eks-access-sync:group:deployers:deployer',
    ]);
    expect(await canI('list', 'pods', '-A', '--as=ray', '--as-group=cluster-reader')).toBe('yes');
    expect(await canI('get', 'secrets', '-A', '--as=ray', '--as-group=cluster-reader')).toBe('no');
    expect(await canI('create', 'deployments', '-n', 'apps', '--as=ci', '--as-group=deployers')).toBe('yes');
    expect(await canI('create', 'deployments', '-n', 'default', '--as=ci', '--as-group=deployers')).toBe(
      'no',
    );
    // The cluster's creator (PlatformAdmin in the event) is never added to aws-auth.
    const arns = parseAwsAuth((await awsAuth()).data).entries.map((e) => e.arn);
    expect(arns.filter((arn) => arn.includes('PlatformAdmin'))).toEqual([]);

    // Act: the same event again
    const before = (await awsAuth()).metadata.resourceVersion;
    const second = await invokeLocal('events/eks-create-cluster.json', 'bootstrapCluster', [
      `--param=accessConfig=${accessConfig}`,
    ]);

    // Assess
    expect(second).toMatchObject({
      status: 'unchanged',
      rbac: { created: [], updated: [], removed: [], unchanged: 5, conflicts: [] },
      mappings: { status: 'unchanged' },
    });
    expect((await awsAuth()).metadata.resourceVersion).toBe(before);
  });
});
