import type { ClusterReview, Identity } from './review-model';
import { severityCounts, showRights, showSource } from './rights-text';

const columns: [string, (i: Identity) => string][] = [
  ['VIA', (i) => i.channel],
  ['PRINCIPAL', (i) => i.principal],
  ['USERNAME', (i) => i.username],
  ['GROUPS', (i) => i.groups.join(',') || '-'],
  ['SOURCE', (i) => showSource(i)],
  ['OURS', (i) => (i.ours ? 'yes' : 'no')],
  ['RIGHTS', (i) => showRights(i.rights)],
];

/** The review as a terminal table per cluster, findings first. */
export function renderText(reviews: readonly ClusterReview[]): string {
  return reviews.map(renderCluster).join('\n');
}

function renderCluster(review: ClusterReview): string {
  const counts = severityCounts(review.findings);
  const lines = [
    `cluster ${review.cluster}  reviewed ${review.reviewedAt}  identities ${review.identities.length}  ` +
      `findings high ${counts.high} medium ${counts.medium} low ${counts.low}  ` +
      `SubjectAccessReviews ${review.accessReviews}`,
  ];
  if (review.error) lines.push(`  NOT REVIEWED: ${review.error}`);
  if (review.findings.length > 0) {
    lines.push('', 'FINDINGS');
    lines.push(
      ...table(
        ['SEVERITY', 'KIND', 'WHO', 'WHAT'],
        review.findings.map((f) => [f.severity.toUpperCase(), f.kind, f.subject, f.message]),
      ),
    );
  }
  if (review.identities.length > 0) {
    lines.push('', 'IDENTITIES');
    lines.push(
      ...table(
        columns.map(([name]) => name),
        review.identities.map((i) => columns.map(([, cell]) => cell(i))),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ')}`;
  return [line(header), ...rows.map(line)];
}
