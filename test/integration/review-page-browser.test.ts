import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/domain/review/render-html';
import type { ClusterReview, Identity } from '../../src/domain/review/review-model';
import { openInChromium } from '../support/headless-browser';

const identity = (principal: string, username: string, groups: string[], admin: boolean): Identity => ({
  channel: 'mapUsers',
  principal,
  key: principal.toLowerCase(),
  username,
  groups,
  sources: ['IAM group eks-admins'],
  ours: true,
  accessPolicies: [],
  rights: { clusterAdmin: admin, clusterWide: [], namespaces: {}, namespacesLeftOut: 0 },
});

const review: ClusterReview = {
  cluster: 'prod',
  reviewedAt: '2026-12-04T12:00:00.000Z',
  accessReviews: 12,
  identities: [
    identity('arn:aws:iam::111122223333:user/bob', 'bob', ['viewers'], false),
    identity('arn:aws:iam::111122223333:user/ann', 'ann', ['system:masters'], true),
    identity('arn:aws:iam::111122223333:user/carol', '<img src=x onerror=alert(1)>', ['devs'], false),
  ],
  findings: [
    {
      severity: 'medium',
      kind: 'drift-missing',
      subject: 'arn:aws:iam::111122223333:user/dan',
      message: 'dan should reach the cluster',
    },
    {
      severity: 'high',
      kind: 'hand-written-system-masters',
      subject: 'arn:aws:iam::111122223333:user/ann',
      message: 'ann is in system:masters by hand',
    },
  ],
};

describe('the access review page in a real headless Chromium', () => {
  it('shows findings first, sorts a table by the clicked header, and asks for nothing over the network', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'review-page-'));
    const file = join(dir, 'review.html');
    writeFileSync(file, renderHtml([review], '2026-12-04T12:00:00.000Z'));
    const page = await openInChromium(pathToFileURL(file).href);
    try {
      // Act + Assess: the page as the browser built it
      const headings = await page.evaluate<string[]>(
        `[...document.querySelectorAll('h2')].map((h) => h.textContent)`,
      );
      expect(headings).toEqual(['Findings', 'Identities']);
      const findingRows = await page.evaluate<string[]>(
        `[...document.querySelectorAll('#findings tbody tr')].map((r) => r.cells[0].textContent + ' ' + r.cells[2].textContent)`,
      );
      expect(findingRows).toEqual(['high hand-written-system-masters', 'medium drift-missing']);
      const usernames = `[...document.querySelectorAll('#identities tbody tr')].map((r) => r.cells[3].textContent)`;
      expect(await page.evaluate<string[]>(usernames)).toEqual([
        'bob',
        'ann',
        '<img src=x onerror=alert(1)>',
      ]);
      expect(await page.evaluate<number>(`document.querySelectorAll('img').length`)).toBe(0);

      await page.evaluate(`document.querySelectorAll('#identities th')[3].click()`);
      expect(await page.evaluate<string[]>(usernames)).toEqual([
        '<img src=x onerror=alert(1)>',
        'ann',
        'bob',
      ]);
      await page.evaluate(`document.querySelectorAll('#identities th')[3].click()`);
      expect(await page.evaluate<string[]>(usernames)).toEqual([
        'bob',
        'ann',
        '<img src=x onerror=alert(1)>',
      ]);

      await page.evaluate(`document.querySelectorAll('#findings th')[0].click()`);
      await page.evaluate(`document.querySelectorAll('#findings th')[0].click()`);
      expect(
        await page.evaluate<string[]>(
          `[...document.querySelectorAll('#findings tbody tr')].map((r) => r.cells[0].textContent)`,
        ),
      ).toEqual(['medium', 'high']);

      expect(page.requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
