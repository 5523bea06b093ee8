import { describe, expect, it } from 'vitest';
import { offboardingPlan } from '../../../src/domain/rotation/rotation-ownership';

const users = [
  { name: 'partner-ci', namespace: 'external-access', secretName: 'eks-access-sync/{cluster}/{name}' },
];
const account = (name: string, namespace = 'external-access', cluster = 'prod-east') => ({
  name,
  namespace,
  user: name,
  cluster,
});
const secret = (name: string, tags: Record<string, string> = {}) => ({
  name,
  tags: { 'eks-access-sync:managed-by': 'eks-access-sync', 'eks-access-sync:cluster': 'prod-east', ...tags },
});

const prodEast = { name: 'prod-east', region: 'us-east-1' };

describe('what offboarding removes', () => {
  it('removes the ServiceAccount and secret of a user the config no longer lists', () => {
    const plan = offboardingPlan(
      prodEast,
      users,
      [account('partner-ci'), account('old-partner')],
      [secret('eks-access-sync/prod-east/partner-ci'), secret('eks-access-sync/prod-east/old-partner')],
    );
    expect(plan.accounts.map((a) => a.name)).toEqual(['old-partner']);
    expect(plan.secrets.map((s) => s.name)).toEqual(['eks-access-sync/prod-east/old-partner']);
  });

  it('removes the ServiceAccount left in the namespace a user moved away from', () => {
    const plan = offboardingPlan(
      prodEast,
      users,
      [account('partner-ci', 'partners'), account('partner-ci')],
      [],
    );
    expect(plan.accounts).toEqual([account('partner-ci', 'partners')]);
  });

  it('never touches what another cluster name or another tool owns', () => {
    const plan = offboardingPlan(
      prodEast,
      [],
      [account('gone', 'external-access', 'dev')],
      [
        secret('eks-access-sync/dev/gone', { 'eks-access-sync:cluster': 'dev' }),
        { name: 'hand-made', tags: { team: 'platform', 'eks-access-sync:cluster': 'prod-east' } },
        secret('someone-else', { 'eks-access-sync:managed-by': 'terraform' }),
      ],
    );
    expect(plan).toEqual({ accounts: [], secrets: [] });
  });
});
