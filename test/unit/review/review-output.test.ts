import { describe, expect, it } from 'vitest';
import { runReview } from '../../../src/app/review/run-review';
import { accessConfigSchema } from '../../../src/domain/config/config';
import { renderHtml } from '../../../src/domain/review/render-html';
import { renderJson, reviewSummary } from '../../../src/domain/review/render-json';
import { renderText } from '../../../src/domain/review/render-text';
import { fakeReviewApi, ownedBySync, reviewDeps, secretToken } from './review-fakes';

const acct = '111122223333';
const config = accessConfigSchema.parse({
  clusters: [{ name: 'prod', region: 'eu-west-1' }],
  groups: [
    { iamGroup: 'eks-admins', kubernetesGroups: ['system:masters'], allowSystemMasters: true },
    { iamGroup: 'eks-readers', kubernetesGroups: ['readers'] },
  ],
});
const members = {
  'eks-admins': [{ userName: 'ann', arn: `arn:aws:iam::${acct}:user/ann` }],
  'eks-readers': [{ userName: 'ray', arn: `arn:aws:iam::${acct}:user/ray` }],
};
const mapUsers = `- userarn: arn:aws:iam::${acct}:user/ann
  username: ann
  groups: [system:masters]
- userarn: arn:aws:iam::${acct}:user/ray
  username: ray
  groups: [readers]
- userarn: arn:aws:iam::${acct}:user/mallory
  username: "<script>alert(1)</script>"
  groups: [system:masters]
`;

const annotations = ownedBySync([
  { section: 'mapUsers', arn: `arn:aws:iam::${acct}:user/ann`, username: 'ann', groups: ['system:masters'] },
  { section: 'mapUsers', arn: `arn:aws:iam::${acct}:user/ray`, username: 'ray', groups: ['readers'] },
]);

async function reviews() {
  const fake = fakeReviewApi({
    admins: ['system:masters'],
    allowed: { readers: ['secrets:list'] },
  });
  return runReview(
    reviewDeps({ config, awsAuth: { mapUsers }, annotations, members, api: fake.api, gone: ['mallory'] }),
  )();
}

describe('access review output', () => {
  it('prints a terminal table: findings first, then every identity with its source and rights', async () => {
    const text = renderText(await reviews());
    expect(text.indexOf('FINDINGS')).toBeLessThan(text.indexOf('IDENTITIES'));
    expect(text).toMatch(/findings high 2 medium 0 low 0/);
    const ray = text.split('\n').find((l) => l.includes('user/ray'));
    expect(ray).toMatch(
      /mapUsers\s+arn:aws:iam::111122223333:user\/ray\s+ray\s+readers\s+IAM group eks-readers\s+yes\s+secrets:list/,
    );
    const ann = text.split('\n').find((l) => l.includes('user/ann') && l.includes('mapUsers'));
    expect(ann).toContain('cluster-admin');
  });

  it('carries the same content as JSON, with counts per cluster', async () => {
    const json = JSON.parse(renderJson(await reviews()));
    expect(json.clusters[0].cluster).toBe('prod');
    expect(json.clusters[0].identities).toHaveLength(3);
    expect(json.clusters[0].findingCounts.high).toBe(2);
    expect(
      json.clusters[0].identities.find((i: { username: string }) => i.username === 'ray').rights,
    ).toEqual({
      clusterAdmin: false,
      clusterWide: ['secrets:list'],
      namespaces: {},
      namespacesLeftOut: 0,
    });
  });

  it('writes one self-contained page: no network, findings before identities, every value escaped', async () => {
    const html = renderHtml(await reviews(), '2026-12-04T12:00:00.000Z');
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
    expect(html.indexOf('id="findings"')).toBeLessThan(html.indexOf('id="identities"'));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('never shows the token it reached the cluster with, in any output or the summary', async () => {
    const all = await reviews();
    for (const out of [
      renderText(all),
      renderJson(all),
      renderHtml(all, 'now'),
      reviewSummary(all),
      JSON.stringify(all),
    ]) {
      expect(out).not.toContain(secretToken);
      expect(out).not.toContain('k8s-aws-v1.');
    }
  });

  it('sums up in one line with the finding counts', async () => {
    expect(reviewSummary(await reviews())).toMatch(
      /^access review: 1 clusters, 3 identities, findings high 2 medium 0 low 0$/,
    );
  });
});
