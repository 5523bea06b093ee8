import { SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { secretsStore } from '../../src/adapters/secrets-store';
import { type RotateTokensSummary, rotateTokens } from '../../src/app/rotation/rotate-tokens';
import type { RotationCommand } from '../../src/app/rotation/rotation-command';
import type { RotateTokensDeps } from '../../src/app/rotation/rotation-ports';
import {
  kubeconfigText,
  kubectl,
  rotationScenario,
  sandboxRotationDeps,
  stagesOf,
  tokenOf,
  whoami,
  whoamiWithin,
} from '../support/rotation';
import { sandbox } from '../support/sandbox';

const schedule: RotationCommand = { kind: 'schedule', why: 'schedule' };
const forced = (user: string): RotationCommand => ({ kind: 'manual', user, force: true, why: 'test' });
const rotate = async (deps: RotateTokensDeps, command: RotationCommand) =>
  (await rotateTokens(deps)(command)) as RotateTokensSummary;

describe('rotateTokens on the sandbox', () => {
  it('writes a kubeconfig that the real kubectl uses as the ServiceAccount, with exactly the configured rights', async () => {
    // Prepare
    const s = rotationScenario();
    const deps = sandboxRotationDeps(s.config);

    // Act
    const started = performance.now();
    const summary = await rotate(deps, schedule);
    const ms = Math.round(performance.now() - started);

    // Assess
    expect(summary.users).toEqual([
      expect.objectContaining({ user: s.user, status: 'issued', secret: s.secretName }),
    ]);
    const text = await kubeconfigText(s.secretName);
    const yaml = parse(text);
    expect(yaml.clusters[0].cluster).toEqual({
      server: sandbox().kube.server,
      'certificate-authority-data': sandbox().kube.caData,
    });
    expect(text).not.toContain('insecure-skip-tls-verify');
    expect(await whoami(text)).toBe(`system:serviceaccount:${s.namespace}:${s.user}`);
    // Bound with a RoleBinding in its namespace: rights there, none elsewhere.
    expect((await kubectl(text, 'auth', 'can-i', 'create', 'configmaps')).stdout.trim()).toBe('yes');
    expect(
      (await kubectl(text, 'auth', 'can-i', 'create', 'configmaps', '-n', 'default')).stdout.trim(),
    ).toBe('no');
    expect((await kubectl(text, 'auth', 'can-i', 'list', 'secrets', '-A')).stdout.trim()).toBe('no');
    console.info(`first kubeconfig issued on the sandbox in ${ms} ms`);
  });

  it('revokes the first token once two more rotations have happened, and keeps two valid', async () => {
    // Prepare
    const s = rotationScenario();
    const deps = sandboxRotationDeps(s.config);
    await rotate(deps, schedule);
    const first = await kubeconfigText(s.secretName);

    // Act
    const timings: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const summary = await rotate(deps, forced(s.user));
      timings.push(Math.round(performance.now() - started));
      expect(summary.users[0]).toMatchObject({ status: 'rotated', revoked: i });
    }

    // Assess
    const stages = await stagesOf(s.secretName);
    const previous = Object.keys(stages).find((v) => stages[v]?.includes('AWSPREVIOUS')) ?? '';
    expect(await whoamiWithin(15_000, first, /Unauthorized/)).toMatch(/Unauthorized/);
    expect(await whoami(await kubeconfigText(s.secretName))).toBe(
      `system:serviceaccount:${s.namespace}:${s.user}`,
    );
    expect(await whoami(await kubeconfigText(s.secretName, { versionId: previous }))).toBe(
      `system:serviceaccount:${s.namespace}:${s.user}`,
    );
    console.info(`rotations (four steps + revocation) on the sandbox took ${timings.join(' and ')} ms`);
  });

  it('leaves AWSCURRENT unchanged and working when the test step fails (a token for the wrong ServiceAccount)', async () => {
    // Prepare: TokenRequest answers with a token of kube-system/default instead of the user's.
    const s = rotationScenario();
    const deps = sandboxRotationDeps(s.config);
    await rotate(deps, schedule);
    const before = await stagesOf(s.secretName);
    const current = await kubeconfigText(s.secretName);
    let wrongToken = '';
    const faulty: RotateTokensDeps = {
      ...deps,
      externalAccess: (cluster, endpoint) => {
        const real = deps.externalAccess(cluster, endpoint);
        return {
          ...real,
          async requestToken(account, bound, lifetime) {
            const other = await real.ensureAccess({
              ...deps.config.externalUsers[0],
              name: `${account.name}-other`,
            } as never);
            const issued = await real.requestToken(
              other,
              await real.bindSecret(other, bound.name, 'x', 'x'),
              lifetime,
            );
            wrongToken = issued.token;
            return issued;
          },
        };
      },
    };

    // Act
    const summary = await rotate(faulty, forced(s.user));

    // Assess
    expect(summary.users[0]).toMatchObject({ status: 'error' });
    expect(summary.users[0]?.reason).toMatch(
      /testSecret .* authenticates as system:serviceaccount:.*-other, not as/,
    );
    const after = await stagesOf(s.secretName);
    const currentOf = (stages: Record<string, string[]>) =>
      Object.keys(stages).find((v) => stages[v]?.includes('AWSCURRENT'));
    expect(currentOf(after)).toBe(currentOf(before));
    expect(Object.values(after).flat()).not.toContain('AWSPENDING');
    expect(await kubeconfigText(s.secretName)).toBe(current);
    expect(await whoami(current)).toBe(`system:serviceaccount:${s.namespace}:${s.user}`);
    expect(wrongToken).not.toBe('');
    expect(summary.users[0]?.reason).not.toContain(wrongToken);
  });

  it('leaves AWSCURRENT unchanged and working when Secrets Manager fails at promotion, and revokes the new token', async () => {
    // Prepare: a wrapper around the real client that fails the move of AWSCURRENT.
    const s = rotationScenario();
    const deps = sandboxRotationDeps(s.config);
    await rotate(deps, schedule);
    const current = await kubeconfigText(s.secretName);
    const env = sandbox();
    const real = new SecretsManagerClient({
      endpoint: env.aws.endpoint,
      region: env.aws.region,
      credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
    });
    const faulty = {
      send: ((command: unknown) => {
        if (
          command instanceof UpdateSecretVersionStageCommand &&
          command.input.VersionStage === 'AWSCURRENT'
        ) {
          return Promise.reject(
            Object.assign(new Error('We encountered an internal error.'), { name: 'InternalServiceError' }),
          );
        }
        return real.send(command as never);
      }) as SecretsManagerClient['send'],
    };

    // Act
    const summary = await rotate({ ...deps, secrets: secretsStore(faulty) }, forced(s.user));

    // Assess
    expect(summary.users[0]).toMatchObject({ status: 'error' });
    expect(summary.users[0]?.reason).toMatch(/finishSecret .* moving AWSCURRENT .*InternalServiceError/);
    const stages = await stagesOf(s.secretName);
    const pendingVersion = summary.users[0]?.versionId ?? '';
    expect(pendingVersion).not.toBe('');
    expect(stages[pendingVersion] ?? []).toEqual([]);
    expect(await kubeconfigText(s.secretName)).toBe(current);
    expect(await whoami(current)).toBe(`system:serviceaccount:${s.namespace}:${s.user}`);
    const abandoned = await kubeconfigText(s.secretName, { versionId: pendingVersion });
    expect(tokenOf(abandoned)).not.toBe(tokenOf(current));
    expect(await whoamiWithin(15_000, abandoned, /Unauthorized/)).toMatch(/Unauthorized/);
  });

  it('uses the expiry the cluster granted and warns when it is shorter than asked', async () => {
    // Prepare: the sandbox grants at most 48h (--service-account-max-token-expiration), EKS 24h.
    const s = rotationScenario({ tokenLifetime: '72h' });
    const deps = sandboxRotationDeps(s.config);

    // Act
    const summary = await rotate(deps, schedule);

    // Assess
    const [result] = summary.users;
    expect(result?.warnings).toEqual([
      expect.stringMatching(/^asked for a 72h token, the cluster granted 4[78]h/),
    ]);
    const granted = (new Date(result?.expiresAt ?? 0).getTime() - Date.now()) / 3_600_000;
    expect(granted).toBeGreaterThan(47.9);
    expect(granted).toBeLessThanOrEqual(48);
    expect(parse(await kubeconfigText(s.secretName)).extensions[0].extension.expiresAt).toBe(
      result?.expiresAt,
    );
  });

  it('does nothing on the schedule while the token has more than rotateBefore left', async () => {
    const s = rotationScenario();
    const deps = sandboxRotationDeps(s.config);
    await rotate(deps, schedule);
    const stages = await stagesOf(s.secretName);

    const again = await rotate(deps, schedule);

    expect(again.users[0]).toMatchObject({ status: 'unchanged' });
    expect(await stagesOf(s.secretName)).toEqual(stages);
  });
});
