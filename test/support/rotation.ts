import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import { kubeBinary } from '../../scripts/sandbox/kube';
import type { RotateTokensDeps } from '../../src/app/rotation/rotation-ports';
import { parseKubeconfig } from '../../src/domain/rotation/kubeconfig';
import { readEnvironment } from '../../src/wiring/environment';
import { rotateTokensDeps } from '../../src/wiring/rotate-tokens-deps';
import { readRuntime } from '../../src/wiring/runtime';
import { secretsManagerClient } from './aws-clients';
import { uniqueName } from './sandbox';

const run = promisify(execFile);

/** A cluster name and a user of its own for one test: the sandbox's one apiserver is shared by all. */
export function rotationScenario(options: { clusterRole?: string; tokenLifetime?: string } = {}) {
  const cluster = uniqueName('rot');
  const user = uniqueName('partner');
  const namespace = uniqueName('ext');
  const config = `
clusters:
  - name: ${cluster}
    region: us-east-1
externalUsers:
  - name: ${user}
    namespace: ${namespace}
    clusterRole: ${options.clusterRole ?? 'system:aggregate-to-edit'}
    tokenLifetime: ${options.tokenLifetime ?? '24h'}
    rotateBefore: 8h
`;
  return { cluster, user, namespace, config, secretName: `eks-access-sync/${cluster}/${user}` };
}

/** A config file on disk, as the function reads it (ACCESS_CONFIG_PATH). */
export function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'eks-access-sync-rotation-'));
  const file = join(dir, 'access.yaml');
  writeFileSync(file, text);
  return file;
}

/** The function's own deps (src/wiring/rotate-tokens-deps.ts) against this run's sandbox, with a config of the test's. */
export function sandboxRotationDeps(configText: string): RotateTokensDeps {
  return rotateTokensDeps(
    readRuntime(
      readEnvironment({
        ACCESS_CONFIG_PATH: configFile(configText),
        SANDBOX_ENV_FILE: inject('sandboxEnvFile'),
      }),
    ),
  );
}

/** Version id → staging labels of a secret, straight from Secrets Manager. */
export async function stagesOf(secretName: string, sm: SecretsManagerClient = secretsManagerClient()) {
  return (await sm.send(new DescribeSecretCommand({ SecretId: secretName }))).VersionIdsToStages ?? {};
}

/** The kubeconfig text of a version, or of AWSCURRENT. */
export async function kubeconfigText(
  secretName: string,
  version: { versionId?: string } = {},
  sm: SecretsManagerClient = secretsManagerClient(),
): Promise<string> {
  const got = await sm.send(
    new GetSecretValueCommand({
      SecretId: secretName,
      ...(version.versionId ? { VersionId: version.versionId } : { VersionStage: 'AWSCURRENT' }),
    }),
  );
  return got.SecretString ?? '';
}

export const tokenOf = (text: string) => parseKubeconfig(text).token;

/** Every token any version of the secret ever held (to grep logs and results for). */
export async function everyToken(secretName: string, sm: SecretsManagerClient = secretsManagerClient()) {
  const { Versions } = await sm.send(
    new ListSecretVersionIdsCommand({ SecretId: secretName, IncludeDeprecated: true }),
  );
  const tokens: string[] = [];
  for (const { VersionId } of Versions ?? []) {
    const text = await kubeconfigText(secretName, { versionId: VersionId }, sm);
    if (text) tokens.push(tokenOf(text));
  }
  return tokens;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real kubectl (same build as the sandbox apiserver) with a kubeconfig file. */
export async function kubectl(kubeconfig: string, ...args: string[]): Promise<KubectlResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(file, kubeconfig, { mode: 0o600 });
  try {
    const { stdout, stderr } = await run(
      kubeBinary(() => {}),
      ['kubectl', '--kubeconfig', file, ...args],
      {
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `kubectl auth whoami`: the username, or the error kubectl printed. */
export async function whoami(kubeconfig: string): Promise<string> {
  const result = await kubectl(kubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}');
  return result.code === 0 ? result.stdout.trim() : result.stderr.trim();
}

/** Polls whoami until it answers `wanted` or `ms` pass (the apiserver caches good tokens for 10 s). */
export async function whoamiWithin(ms: number, kubeconfig: string, wanted: RegExp): Promise<string> {
  const deadline = Date.now() + ms;
  let answer = await whoami(kubeconfig);
  while (!wanted.test(answer) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    answer = await whoami(kubeconfig);
  }
  return answer;
}
