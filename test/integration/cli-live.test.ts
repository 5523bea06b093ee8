import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AddUserToGroupCommand, CreateGroupCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { describe, expect, inject, it } from 'vitest';
import { iamClient } from '../support/aws-clients';
import { uniqueName } from '../support/sandbox';

const root = resolve(import.meta.dirname, '../..');

describe('eks-access-sync plan against a live cluster (the sandbox)', () => {
  it('shows progress per cluster and the diff, and answers with the JSON summary', async () => {
    const group = uniqueName('cli-devs');
    const user = uniqueName('cli-user');
    const iam = iamClient();
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const config = join(dir, 'access.yaml');
    writeFileSync(
      config,
      `clusters: [{name: sandbox, region: us-east-1}]\ngroups: [{iamGroup: ${group}, kubernetesGroups: [developers]}]\n`,
    );

    const out = spawnSync(
      resolve(root, 'node_modules/.bin/node'),
      [
        resolve(root, 'bin/eks-access-sync.mjs'),
        'plan',
        '--config',
        config,
        '--sandbox-env',
        inject('sandboxEnvFile'),
      ],
      { encoding: 'utf8' },
    );

    expect(out.status).toBe(0);
    expect(out.stderr).toContain('cluster sandbox: planned');
    expect(out.stderr).toContain(`+ mapUsers arn:aws:iam::123456789012:user/${user}`);
    const summary = JSON.parse(out.stdout) as { clusters: { status: string; added: string[] }[] };
    expect(summary.clusters[0]).toMatchObject({
      status: 'planned',
      added: [`arn:aws:iam::123456789012:user/${user}`],
    });
  });

  it('answers a line per cluster with --output text, progress still on stderr', async () => {
    const group = uniqueName('cli-text');
    const user = uniqueName('cli-text-user');
    const iam = iamClient();
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const config = join(dir, 'access.yaml');
    writeFileSync(
      config,
      `clusters: [{name: sandbox, region: us-east-1}]\ngroups: [{iamGroup: ${group}, kubernetesGroups: [developers]}]\n`,
    );

    const out = spawnSync(
      resolve(root, 'node_modules/.bin/node'),
      [
        resolve(root, 'bin/eks-access-sync.mjs'),
        'plan',
        '--config',
        config,
        '--sandbox',
        inject('sandboxEnvFile'),
        '--output',
        'text',
      ],
      { encoding: 'utf8' },
    );

    expect(out.status).toBe(0);
    expect(out.stderr).toContain('cluster sandbox: planned');
    // One line per cluster; other tests share this cluster's aws-auth, so a refusal may follow the counts.
    expect(out.stdout).toMatch(/^sandbox: planned \(\+1 -\d+ ~\d+, \d+ unchanged\)(: [^\n]+)?\n$/);
  });
});
