import { describe, expect, it } from 'vitest';
import { UnknownClusterError } from '../../../src/app/review/run-review';
import { reviewCommand } from '../../../src/cli/review-command';
import type { ClusterReview } from '../../../src/domain/review/review-model';

const ok: ClusterReview = {
  cluster: 'prod',
  reviewedAt: '2026-12-04T12:00:00.000Z',
  identities: [],
  findings: [],
  accessReviews: 0,
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { write: (t: string) => out.push(t), error: (t: string) => err.push(t) } };
}

describe('eks-access-sync review', () => {
  it('prints JSON and exits 0 when every cluster was reviewed', async () => {
    const t = io();
    const code = await reviewCommand({ config: 'x.yaml', output: 'json' }, t.io, async () => [ok]);
    expect(code).toBe(0);
    expect(JSON.parse(t.out.join('')).clusters[0].cluster).toBe('prod');
  });

  it('exits 1 and says why when a cluster could not be reviewed', async () => {
    const t = io();
    const failed = { ...ok, error: 'reviewing cluster prod: the apiserver answered 401' };
    const code = await reviewCommand({ config: 'x.yaml' }, t.io, async () => [failed]);
    expect(code).toBe(1);
    expect(t.err.join('')).toContain('answered 401');
  });

  it('exits 2 for an unknown output or cluster, naming it', async () => {
    const t = io();
    expect(await reviewCommand({ config: 'x.yaml', output: 'pdf' }, t.io, async () => [ok])).toBe(2);
    expect(
      await reviewCommand({ config: 'x.yaml', cluster: 'nope' }, t.io, async () => {
        throw new UnknownClusterError('no cluster named nope in the config');
      }),
    ).toBe(2);
    expect(t.err.join('')).toMatch(
      /--output must be text, json or html, not pdf[\s\S]*no cluster named nope/,
    );
  });
});
