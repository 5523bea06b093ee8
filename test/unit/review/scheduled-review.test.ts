import { describe, expect, it } from 'vitest';
import { publishReview } from '../../../src/app/review/publish-review';
import { accessConfigSchema } from '../../../src/domain/config/config';
import { reviewHandler } from '../../../src/lambda/review-handler';
import { fakeReviewApi, reviewDeps, secretToken } from './review-fakes';

const config = accessConfigSchema.parse({ clusters: [{ name: 'prod', region: 'eu-west-1' }] });
const mapUsers = `- userarn: arn:aws:iam::111122223333:user/bob
  username: bob
  groups: [system:masters]
`;

function deps() {
  const stored = new Map<string, { body: string; type: string }>();
  const published: string[] = [];
  const base = reviewDeps({
    config,
    awsAuth: { mapUsers },
    members: {},
    api: fakeReviewApi({ admins: ['system:masters'] }).api,
  });
  return {
    stored,
    published,
    deps: {
      ...base,
      store: { put: async (key: string, body: string, type: string) => void stored.set(key, { body, type }) },
      publisher: { publish: async (_subject: string, message: string) => void published.push(message) },
    },
  };
}

describe('scheduled access review', () => {
  it('stores the JSON and the page, dated and as latest, and publishes one line with the counts', async () => {
    const f = deps();

    const result = await publishReview(f.deps)();

    expect([...f.stored.keys()].sort()).toEqual([
      'latest.html',
      'latest.json',
      'reviews/2026-12-04/2026-12-04T12:00:00.000Z.html',
      'reviews/2026-12-04/2026-12-04T12:00:00.000Z.json',
    ]);
    expect(f.stored.get('latest.html')?.type).toBe('text/html; charset=utf-8');
    expect(JSON.parse(f.stored.get('latest.json')?.body ?? '{}').clusters[0].identities[0].username).toBe(
      'bob',
    );
    expect(f.published).toEqual(['access review: 1 clusters, 1 identities, findings high 1 medium 0 low 0']);
    expect(result.findings).toEqual({ high: 1, medium: 0, low: 0 });
    for (const { body } of f.stored.values()) expect(body).not.toContain(secretToken);
  });

  it('runs on {"action":"review"} and records high findings as a metric; rejects other events', async () => {
    const f = deps();
    const added: [string, number][] = [];
    const handle = reviewHandler(() => f.deps, {
      addMetric: (name: string, _unit: unknown, value: number) => added.push([name, value]) as never,
    });

    const result = await handle({ action: 'review', cluster: 'prod' });
    const rejected = await handle({ action: 'reveiw' });

    expect(result).toMatchObject({ notReviewed: [], findings: { high: 1 } });
    expect(added).toContainEqual(['ReviewFindingsHigh', 1]);
    expect(rejected).toEqual({ rejected: expect.stringContaining('fields action') });
    expect(JSON.stringify(result)).not.toContain(secretToken);
  });
});
