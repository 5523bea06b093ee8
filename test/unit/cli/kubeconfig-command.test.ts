import { chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { type KubeconfigCommandIo, kubeconfigCommand } from '../../../src/cli/kubeconfig-command';
import { buildKubeconfig } from '../../../src/domain/rotation/kubeconfig';

const token = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.s3cr3t-token';
const kubeconfig = buildKubeconfig({
  server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
  caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
  token,
  record: {
    cluster: 'prod-east',
    user: 'partner-ci',
    namespace: 'external-access',
    serviceAccount: 'partner-ci',
    serviceAccountUid: '6b1d8c8e-0000-4000-8000-000000000001',
    boundSecret: 'eks-access-sync-partner-ci-v7',
    versionId: 'v7',
    issuedAt: '2026-11-22T10:00:00.000Z',
    expiresAt: '2026-11-23T10:00:00.000Z',
  },
});

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-command-'));
const config = join(dir, 'access.yaml');
writeFileSync(
  config,
  `clusters:
  - { name: prod-east, region: us-east-1 }
  - { name: dev, region: us-east-1 }
externalUsers:
  - { name: partner-ci, clusterRole: view, clusters: [prod-east] }
`,
);

/** The operator's side, in memory: what was asked of Secrets Manager, written, and said. */
function io(options: { tty?: boolean; value?: string; fail?: Error } = {}) {
  const asked: unknown[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const fake: KubeconfigCommandIo = {
    secrets: {
      send: (async (command: GetSecretValueCommand) => {
        asked.push(command.input);
        if (options.fail) throw options.fail;
        return { SecretString: options.value ?? kubeconfig, VersionId: 'v7' };
      }) as never,
    },
    stdout: { write: (s: string) => out.push(s) > 0, ...(options.tty ? { isTTY: true } : {}) },
    stderr: { write: (s: string) => err.push(s) > 0 },
  };
  return { fake, asked, out, err };
}

const run = (out: string, fake: KubeconfigCommandIo, user = 'partner-ci', cluster = 'prod-east') =>
  kubeconfigCommand({ user, cluster, out, config }, fake);

describe('eks-access-sync kubeconfig (handover by a person)', () => {
  it("writes AWSCURRENT of the user's secret to a new file with mode 0600, and says which version", async () => {
    // Prepare
    const file = join(dir, 'new-kubeconfig');
    const op = io();

    // Act
    const code = await run(file, op.fake);

    // Assess
    expect(code).toBe(0);
    expect(op.asked).toEqual([
      { SecretId: 'eks-access-sync/prod-east/partner-ci', VersionStage: 'AWSCURRENT' },
    ]);
    expect(readFileSync(file, 'utf8')).toBe(kubeconfig);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(op.err.join('')).toMatch(/version v7, expires 2026-11-23T10:00:00.000Z\) to .* \(mode 0600\)/);
    expect([...op.out, ...op.err].join('')).not.toContain(token);
  });

  it('narrows an existing file of wider mode to 0600 before writing, and says so', async () => {
    // Prepare
    const file = join(dir, 'wide');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    const op = io();

    // Act
    const code = await run(file, op.fake);

    // Assess
    expect(code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(kubeconfig);
    expect(op.err.join('')).toContain('had mode 0644; narrowed to 0600 before writing');
  });

  it('refuses to write through a symlink', async () => {
    // Prepare
    const target = join(dir, 'elsewhere');
    writeFileSync(target, '');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    const op = io();

    // Act
    const code = await run(link, op.fake);

    // Assess
    expect(code).toBe(3);
    expect(readFileSync(target, 'utf8')).toBe('');
    expect(op.err.join('')).toContain('is a symlink');
  });

  it('prints to stdout only with --out -, and never to a terminal (exit 2)', async () => {
    // Prepare
    const piped = io();
    const terminal = io({ tty: true });

    // Act
    const pipedCode = await run('-', piped.fake);
    const terminalCode = await run('-', terminal.fake);

    // Assess
    expect(pipedCode).toBe(0);
    expect(piped.out.join('')).toBe(kubeconfig);
    expect(terminalCode).toBe(2);
    expect(terminal.out).toEqual([]);
    expect(terminal.asked).toEqual([]);
    expect(terminal.err.join('')).toContain('refusing to print a kubeconfig to a terminal');
  });

  it('refuses an unknown user or a cluster the user has no kubeconfig on (exit 2), asking nothing of AWS', async () => {
    // Prepare
    const op = io();

    // Act
    const unknown = await run(join(dir, 'x'), op.fake, 'nobody');
    const notTheirs = await run(join(dir, 'y'), op.fake, 'partner-ci', 'dev');

    // Assess
    expect([unknown, notTheirs]).toEqual([2, 2]);
    expect(op.asked).toEqual([]);
    expect(op.err.join('')).toMatch(/no external user named nobody/);
    expect(op.err.join('')).toMatch(/partner-ci has no kubeconfig on cluster dev \(theirs: prod-east\)/);
  });

  it('fails with the AWS error, naming the secret (exit 1), and refuses a value that is no kubeconfig of the tool (exit 3)', async () => {
    // Prepare
    const denied = io({
      fail: Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
    });
    const foreign = io({ value: 'password: hunter2' });

    // Act
    const deniedCode = await run(join(dir, 'denied'), denied.fake);
    const foreignCode = await run(join(dir, 'foreign'), foreign.fake);

    // Assess
    expect(deniedCode).toBe(1);
    expect(denied.err.join('')).toContain(
      'reading AWSCURRENT of eks-access-sync/prod-east/partner-ci: AccessDeniedException: not authorized',
    );
    expect(foreignCode).toBe(3);
    expect(foreign.err.join('')).not.toContain('hunter2');
    expect(() => statSync(join(dir, 'foreign'))).toThrow();
  });
});
