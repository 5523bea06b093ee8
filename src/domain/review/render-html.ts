import { byFinding, type ClusterReview, type Finding, type Identity } from './review-model';
import { severityCounts, showRights, showSource } from './rights-text';

/**
 * The review as one self-contained page: inline style and script, no network, findings first,
 * every table sortable by clicking a header. Every value is escaped: principals and usernames come
 * from the cluster and may hold anything.
 */
export function renderHtml(reviews: readonly ClusterReview[], generatedAt: string): string {
  // Most severe first across every cluster, not cluster by cluster.
  const findings = reviews
    .flatMap((r) => r.findings.map((f) => ({ cluster: r.cluster, ...f })))
    .sort((a, b) => byFinding(a, b) || (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  const counts = severityCounts(findings);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>EKS access review</title>
<style>${style}</style>
</head>
<body>
<h1>EKS access review</h1>
<p id="summary">${reviews.length} clusters, generated ${esc(generatedAt)}. Findings: high ${counts.high}, medium ${counts.medium}, low ${counts.low}.</p>
${reviews
  .filter((r) => r.error)
  .map((r) => `<p class="error">Cluster ${esc(r.cluster)} was not reviewed: ${esc(r.error ?? '')}</p>`)
  .join('\n')}
<h2>Findings</h2>
${findings.length === 0 ? '<p>No findings.</p>' : findingsTable(findings)}
<h2>Identities</h2>
${identitiesTable(reviews)}
<script>${script}</script>
</body>
</html>
`;
}

const severityRank = { high: 0, medium: 1, low: 2 } as const;

function findingsTable(findings: (Finding & { cluster: string })[]): string {
  const rows = findings.map(
    (f) =>
      `<tr class="${f.severity}"><td data-sort="${severityRank[f.severity]}">${f.severity}</td><td>${esc(f.cluster)}</td><td>${esc(f.kind)}</td><td>${esc(f.subject)}</td><td>${esc(f.message)}</td></tr>`,
  );
  return table('findings', ['Severity', 'Cluster', 'Kind', 'Who', 'What'], rows);
}

function identitiesTable(reviews: readonly ClusterReview[]): string {
  const rows = reviews.flatMap((r) =>
    r.identities.map((i: Identity) =>
      [
        `<tr${i.rights?.clusterAdmin ? ' class="admin"' : ''}>`,
        `<td>${esc(r.cluster)}</td>`,
        `<td>${esc(i.channel)}</td>`,
        `<td>${esc(i.principal)}</td>`,
        `<td>${esc(i.username)}</td>`,
        `<td>${esc(i.groups.join(', '))}</td>`,
        `<td>${esc(showSource(i))}</td>`,
        `<td>${i.ours ? 'yes' : 'no'}</td>`,
        `<td>${i.rights?.clusterAdmin ? 'yes' : 'no'}</td>`,
        `<td>${esc(showRights(i.rights))}</td>`,
        '</tr>',
      ].join(''),
    ),
  );
  return table(
    'identities',
    ['Cluster', 'Via', 'Principal', 'Username', 'Groups', 'Source', 'Ours', 'Cluster-admin', 'Rights'],
    rows,
  );
}

function table(id: string, headers: string[], rows: string[]): string {
  return `<table id="${id}"><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const style = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin-bottom:2em;width:100%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;word-break:break-word}
th{background:#eee;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
tr.high td:first-child{background:#f8d0d0;font-weight:bold}tr.medium td:first-child{background:#fbe7c0}
tr.admin td{background:#fff4f4}.error{color:#a00;font-weight:bold}`;

// Sorts a table's rows by the clicked column (data-sort first, then text; numbers as numbers).
const script = `document.querySelectorAll('table').forEach(function(t){
t.querySelectorAll('th').forEach(function(th,col){th.addEventListener('click',function(){
var asc=th.getAttribute('aria-sort')!=='ascending';
t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
var key=function(r){var c=r.cells[col];return c.getAttribute('data-sort')||c.textContent};
rows.sort(function(a,b){return (asc?1:-1)*key(a).localeCompare(key(b),undefined,{numeric:true})});
rows.forEach(function(r){body.appendChild(r)});});});});`;
