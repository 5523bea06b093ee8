import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotateTokens } from '../../src/app/rotation/rotate-tokens';
import { kubeconfigCommand } from '../../src/cli/kubeconfig-command';
import { secretsManagerClient } from '../support/aws-clients';
import { configFile, rotationScenario, sandboxRotationDeps, whoami } from '../support/rotation';

describe('eks-access-sync kubeconfig on the sandbox', () => {
  it('writes a 0600 file whose kubeconfig the real kubectl uses as the ServiceAccount', async () => {
    // Prepare: the stack rotated the user's kubeconfig into Secrets Manager.
    const s = rotationScenario();
    await rotateTokens(sandboxRotationDeps(s.config))({ kind: 'schedule', why: 'schedule' });
    const file = join(mkdtempSync(join(tmpdir(), 'handover-')), 'kubeconfig');
    const said: string[] = [];

    // Act: the operator, with their own credentials (the sandbox's static keys).
    const code = await kubeconfigCommand(
      { user: s.user, cluster: s.cluster, out: file, config: configFile(s.config) },
      {
        secrets: secretsManagerClient(),
        stdout: { write: () => true },
        stderr: { write: (line: string) => said.push(line) > 0 },
      },
    );

    // Assess
    expect(code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await whoami(readFileSync(file, 'utf8'))).toBe(`system:serviceaccount:${s.namespace}:${s.user}`);
    expect(said.join('')).toMatch(new RegExp(`wrote the kubeconfig of ${s.user} on ${s.cluster}`));
  });
});
