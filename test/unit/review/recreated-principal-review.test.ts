import { describe, expect, it } from 'vitest';
import { runReview } from '../../../src/app/review/run-review';
import { accessConfigSchema } from '../../../src/domain/config/config';
import { fakeReviewApi, reviewDeps } from './review-fakes';

const acct = '111122223333';
const roleArn = `arn:aws:iam::${acct}:role/Deployer`;

describe('access review: recreated principals', () => {
  it('asks IAM for the unique id and flags the entry the tool made for an earlier role of that ARN', async () => {
    // Prepare: the tool made the entry for RoleId AROAOLD; IAM has AROANEW under that ARN today.
    const config = accessConfigSchema.parse({
      clusters: [{ name: 'prod', region: 'eu-west-1' }],
      roles: [{ roleArn, username: 'deployer', kubernetesGroups: ['deployers'] }],
    });
    const entry = {
      principalArn: roleArn,
      key: roleArn.toLowerCase(),
      type: 'STANDARD',
      username: 'deployer',
      groups: ['deployers'],
      tags: { 'eks-access-sync.io/managed': 'true', 'eks-access-sync.io/principal-id': 'AROAOLD' },
      policies: [],
    };
    const run = (ids: Record<string, string>) =>
      runReview(
        reviewDeps({
          config,
          awsAuth: {},
          members: {},
          api: fakeReviewApi({ admins: [] }).api,
          mode: 'API',
          accessEntries: [entry],
          ids,
        }),
      )();

    // Act
    const [recreated] = await run({ Deployer: 'AROANEW' });
    const [same] = await run({ Deployer: 'AROAOLD' });

    // Assess
    expect(recreated?.findings.filter((f) => f.kind === 'recreated-principal')).toEqual([
      expect.objectContaining({ subject: roleArn.toLowerCase(), severity: 'medium' }),
    ]);
    expect(same?.findings.map((f) => f.kind)).not.toContain('recreated-principal');
  });
});
