import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { type RotateTokensSummary, rotateTokens } from '../../src/app/rotation/rotate-tokens';
import type { RotateTokensDeps } from '../../src/app/rotation/rotation-ports';
import { secretsManagerClient } from '../support/aws-clients';
import { coreApi, found, rbacApi } from '../support/kube-clients';
import { kubeconfigText, sandboxRotationDeps, whoami, whoamiWithin } from '../support/rotation';
import { sandbox, uniqueName } from '../support/sandbox';

const schedule = { kind: 'schedule', why: 'schedule' } as const;
const run = async (deps: RotateTokensDeps) => (await rotateTokens(deps)(schedule)) as RotateTokensSummary;

describe('offboarding on the sandbox', () => {
  it('revokes a user removed from the config and leaves everything the tool did not make', async () => {
    // Prepare: two users; next to them, things that look like ours but are not.
    const cluster = uniqueName('rot');
    const namespace = uniqueName('ext');
    const [leaver, stayer] = [uniqueName('leaver'), uniqueName('stayer')];
    const user = (name: string) =>
      `  - name: ${name}\n    namespace: ${namespace}\n    clusterRole: system:aggregate-to-view\n`;
    const head = `clusters:\n  - name: ${cluster}\n    region: us-east-1\nexternalUsers:\n`;
    await run(sandboxRotationDeps(head + user(leaver) + user(stayer)));
    const leaverKubeconfig = await kubeconfigText(`eks-access-sync/${cluster}/${leaver}`);
    const stayerKubeconfig = await kubeconfigText(`eks-access-sync/${cluster}/${stayer}`);
    const env = sandbox();
    const admin = coreApi(env.kube.adminToken, env);
    const handMade = uniqueName('hand-made');
    await admin.createNamespacedServiceAccount({ namespace, body: { metadata: { name: handMade } } });
    const sm = secretsManagerClient();
    const foreignSecret = `eks-access-sync/${cluster}/${handMade}`;
    await sm.send(new CreateSecretCommand({ Name: foreignSecret, SecretString: 'not ours' }));

    // Act
    const summary = await run(sandboxRotationDeps(head + user(stayer)));

    // Assess
    expect(summary.offboarded).toEqual([
      {
        cluster,
        status: 'offboarded',
        serviceAccounts: [`${namespace}/${leaver}`],
        secrets: [`eks-access-sync/${cluster}/${leaver}`],
      },
    ]);
    expect(await whoamiWithin(15_000, leaverKubeconfig, /Unauthorized/)).toMatch(/Unauthorized/);
    expect(await whoami(stayerKubeconfig)).toBe(`system:serviceaccount:${namespace}:${stayer}`);
    const deleted = await sm.send(
      new DescribeSecretCommand({ SecretId: `eks-access-sync/${cluster}/${leaver}` }),
    );
    expect(deleted.DeletedDate).toBeInstanceOf(Date);
    expect(await found(admin.readNamespacedServiceAccount({ name: leaver, namespace }))).toBeUndefined();
    expect(
      await found(
        rbacApi(env.kube.adminToken, env).readNamespacedRoleBinding({
          name: `eks-access-sync:${leaver}`,
          namespace,
        }),
      ),
    ).toBeUndefined();
    expect(await found(admin.readNamespacedServiceAccount({ name: handMade, namespace }))).toBeDefined();
    expect(
      (await sm.send(new DescribeSecretCommand({ SecretId: foreignSecret }))).DeletedDate,
    ).toBeUndefined();
    expect(await found(admin.readNamespace({ name: namespace }))).toBeDefined();
  });

  it('brings an offboarded user back with the recovered secret and a new working token', async () => {
    // Prepare
    const cluster = uniqueName('rot');
    const name = uniqueName('partner');
    const config = `clusters:\n  - name: ${cluster}\n    region: us-east-1\nexternalUsers:\n  - name: ${name}\n    clusterRole: view\n`;
    await run(sandboxRotationDeps(config));
    await run(sandboxRotationDeps(config.replace(/externalUsers:[\s\S]*/, '')));

    // Act
    const summary = await run(sandboxRotationDeps(config));

    // Assess
    expect(summary.users[0]).toMatchObject({
      status: 'rotated',
      reason: 'the ServiceAccount was deleted and created again',
    });
    expect(await whoami(await kubeconfigText(`eks-access-sync/${cluster}/${name}`))).toBe(
      `system:serviceaccount:external-access:${name}`,
    );
  });

  it('refuses to take over a ServiceAccount or a secret it did not make', async () => {
    // Prepare
    const cluster = uniqueName('rot');
    const namespace = uniqueName('ext');
    const [saTaken, secretTaken] = [uniqueName('sa-taken'), uniqueName('secret-taken')];
    const env = sandbox();
    const admin = coreApi(env.kube.adminToken, env);
    await admin.createNamespace({ body: { metadata: { name: namespace } } });
    await admin.createNamespacedServiceAccount({ namespace, body: { metadata: { name: saTaken } } });
    await secretsManagerClient().send(
      new CreateSecretCommand({
        Name: `eks-access-sync/${cluster}/${secretTaken}`,
        SecretString: 'hand-made',
      }),
    );
    const user = (name: string) => `  - name: ${name}\n    namespace: ${namespace}\n    clusterRole: view\n`;

    // Act
    const summary = await run(
      sandboxRotationDeps(
        `clusters:\n  - name: ${cluster}\n    region: us-east-1\nexternalUsers:\n${user(saTaken)}${user(secretTaken)}`,
      ),
    );

    // Assess
    expect(summary.users.map((u) => [u.status, u.reason])).toEqual([
      [
        'error',
        expect.stringMatching(/ServiceAccount .* exists and was not made by eks-access-sync: left alone/),
      ],
      [
        'error',
        expect.stringMatching(/secret .* exists and is not eks-access-sync's kubeconfig .*: left alone/),
      ],
    ]);
    expect(await kubeconfigText(`eks-access-sync/${cluster}/${secretTaken}`).catch(() => 'hand-made')).toBe(
      'hand-made',
    );
  });
});
