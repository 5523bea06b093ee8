import { describe, expect, it } from 'vitest';
import { KubeForbiddenError } from '../../../src/adapters/kubernetes/kube-errors';
import { type RotateTokensSummary, rotateTokens } from '../../../src/app/rotation/rotate-tokens';
import { fakeDeps } from './fakes';

const secretName = 'eks-access-sync/prod-east/partner-ci';

describe('a token request the cluster denies', () => {
  it('fails that user with the reason, keeps AWSCURRENT and its token, and revokes nothing', async () => {
    // Prepare: a first kubeconfig, then the cluster starts refusing TokenRequest (RBAC changed).
    const fake = fakeDeps();
    await rotateTokens(fake.deps)({ kind: 'schedule', why: 'schedule' });
    const before = await fake.secrets.describe(secretName);
    const validBefore = await fake.cluster.validTokens();
    const access = fake.cluster.access();
    fake.deps.externalAccess = () => ({
      ...access,
      requestToken: async () => {
        throw new KubeForbiddenError(
          403,
          'Forbidden',
          'POST /api/v1/namespaces/external-access/serviceaccounts/partner-ci/token: 403 Forbidden: cannot create resource "serviceaccounts/token"',
        );
      },
    });

    // Act
    const summary = (await rotateTokens(fake.deps)({
      kind: 'manual',
      user: 'partner-ci',
      force: true,
      why: 'manual',
    })) as RotateTokensSummary;

    // Assess
    expect(summary.users[0]).toMatchObject({
      status: 'error',
      reason: expect.stringContaining('403 Forbidden'),
    });
    expect((await fake.secrets.describe(secretName))?.stages).toEqual(before?.stages);
    expect(await fake.cluster.validTokens()).toEqual(validBefore);
    expect(JSON.stringify(summary)).not.toMatch(/s3cr3t/);
  });
});
