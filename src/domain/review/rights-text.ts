import type { Identity, Rights } from './review-model';

/** A rights cell a person can read: `cluster-admin`, the cluster-wide matrix, then `ns: …` per namespace. */
export function showRights(rights: Rights | undefined): string {
  if (!rights) return '(not asked)';
  if (rights.clusterAdmin) return 'cluster-admin';
  const parts: string[] = [...rights.clusterWide];
  for (const [namespace, ids] of Object.entries(rights.namespaces).sort(([a], [b]) => (a < b ? -1 : 1))) {
    parts.push(`${namespace}: ${ids.join(' ')}`);
  }
  if (rights.namespacesLeftOut > 0) parts.push(`(+${rights.namespacesLeftOut} namespaces not asked)`);
  return parts.length > 0 ? parts.join('; ') : 'none of the matrix';
}

/** Finding counts by severity, for the summary line. */
export function severityCounts(findings: readonly { severity: string }[]): {
  high: number;
  medium: number;
  low: number;
} {
  const counts = { high: 0, medium: 0, low: 0 };
  for (const f of findings) if (f.severity in counts) counts[f.severity as keyof typeof counts]++;
  return counts;
}

/** A source cell: where the identity comes from, its access policies, and when its token expires. */
export function showSource(identity: Identity): string {
  return [
    ...identity.sources,
    ...identity.accessPolicies.map((p) => `policy ${p}`),
    ...(identity.tokenExpiresAt ? [`token until ${identity.tokenExpiresAt}`] : []),
  ].join('; ');
}
