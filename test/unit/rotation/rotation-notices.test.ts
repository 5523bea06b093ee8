import { describe, expect, it } from 'vitest';
import { type RotateTokensSummary, rotateTokens } from '../../../src/app/rotation/rotate-tokens';
import type { RotationNotice } from '../../../src/domain/rotation/rotation-notice';
import { fakeDeps } from './fakes';

const secretName = 'eks-access-sync/prod-east/partner-ci';
const schedule = { kind: 'schedule', why: 'schedule' } as const;

function withNotices() {
  const fake = fakeDeps();
  const sent: RotationNotice[] = [];
  fake.deps.notices = {
    announce: async (notices) => {
      sent.push(...structuredClone(notices));
    },
  };
  return { ...fake, sent };
}

describe('rotation notices', () => {
  it('announces a new kubeconfig with user, cluster, secret ARN, version and expiry, and nothing secret', async () => {
    // Prepare
    const fake = withNotices();

    // Act
    const summary = (await rotateTokens(fake.deps)(schedule)) as RotateTokensSummary;
    const unchanged = await rotateTokens(fake.deps)(schedule);

    // Assess
    const user = summary.users[0];
    const stored = fake.secrets.secrets.get(secretName);
    expect(fake.sent).toEqual([
      {
        detailType: 'Kubeconfig Rotated',
        resources: [stored?.arn],
        detail: {
          user: 'partner-ci',
          cluster: { name: 'prod-east', region: 'us-east-1' },
          secretName,
          secretArn: stored?.arn,
          versionId: user?.versionId,
          expiresAt: '2026-11-23T10:00:00.000Z',
        },
      },
    ]);
    const kubeconfig = [...(stored?.values.values() ?? [])][0] ?? '';
    const token = [...fake.cluster.tokens.keys()][0] ?? '';
    expect(token).toMatch(/s3cr3t/);
    expect(JSON.stringify(fake.sent)).not.toContain(token);
    expect(JSON.stringify(fake.sent)).not.toContain(kubeconfig);
    expect((unchanged as RotateTokensSummary).users[0]?.status).toBe('unchanged');
    expect(fake.sent).toHaveLength(1);
  });

  it('announces a failed rotation with its reason', async () => {
    // Prepare
    const fake = withNotices();
    fake.deps.clusters.endpoint = async () => {
      throw new Error('DescribeCluster: AccessDeniedException');
    };

    // Act
    await rotateTokens(fake.deps)(schedule);

    // Assess
    expect(fake.sent).toEqual([
      {
        detailType: 'Kubeconfig Rotation Failed',
        resources: [],
        detail: {
          user: 'partner-ci',
          cluster: { name: 'prod-east', region: 'us-east-1' },
          secretName,
          reason: 'reaching cluster prod-east: DescribeCluster: AccessDeniedException',
        },
      },
    ]);
  });

  it('keeps the rotation when EventBridge refuses the notice, and says so in a warning', async () => {
    // Prepare
    const fake = fakeDeps();
    fake.deps.notices = {
      announce: async () => {
        throw new Error('EventBridge refused 1 rotation notices');
      },
    };

    // Act
    const summary = (await rotateTokens(fake.deps)(schedule)) as RotateTokensSummary;

    // Assess
    expect(summary.users[0]).toMatchObject({
      status: 'issued',
      warnings: ['announcing the rotation on EventBridge failed: EventBridge refused 1 rotation notices'],
    });
    expect(fake.secrets.secrets.get(secretName)?.stages).toBeDefined();
  });

  it('announces the end of a Secrets Manager rotation (finishSecret), and a failed step', async () => {
    // Prepare
    const fake = withNotices();
    await rotateTokens(fake.deps)(schedule);
    fake.sent.length = 0;
    const step = (name: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret', versionId: string) =>
      rotateTokens(fake.deps)({ kind: 'step', step: name, secretId: secretName, versionId, why: 'step' });
    const v = '11111111-1111-4111-8111-111111111111';

    // Act
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await step(s, v);
    const failing = step('testSecret', '22222222-2222-4222-8222-222222222222');

    // Assess
    await expect(failing).rejects.toThrow();
    expect(fake.sent.map((n) => [n.detailType, n.detail.versionId])).toEqual([
      ['Kubeconfig Rotated', v],
      ['Kubeconfig Rotation Failed', '22222222-2222-4222-8222-222222222222'],
    ]);
    expect(fake.sent[0]?.detail.expiresAt).toEqual(expect.any(String));
    expect(fake.sent[1]?.detail.reason).toMatch(/^testSecret of version 22222222/);
  });
});
