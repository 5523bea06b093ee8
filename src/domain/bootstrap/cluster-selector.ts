import { identityOf, showCluster } from '../config/cluster-identity';
import type { AccessConfig, ClusterConfig } from '../config/config';
import type { ClusterSelector } from './cluster-bootstrap';

/** A cluster as an EKS event or a person names it. */
export interface SeenCluster {
  name: string;
  region: string;
  /** The account it lives in, when known (a CloudTrail event always says). */
  accountId?: string;
  /** The tags it was created with or carries now, when known. */
  tags?: Record<string, string>;
}

export type ClusterMatch =
  | { managed: true; cluster: ClusterConfig; listed: boolean; by: string }
  | { managed: false; reason: string };

/**
 * Whether the tool manages a cluster: listed in `clusters` (same name, region and account), or
 * matched by a bootstrap selector, in which case its ClusterConfig is made from the selector and
 * carries the cluster's account and `foundBy`. With `ignoreTags`, tags are not looked at: enough to
 * know how to reach the cluster and read them. With `tagsGone` (a deleted cluster), a selector that
 * names tags never matches: tags cannot be read any more, and tags alone would match any cluster.
 * `homeAccount` is the function's own account: that of a listed cluster with no account of its own.
 */
export function matchCluster(
  config: AccessConfig,
  seen: SeenCluster,
  options: { ignoreTags?: boolean; tagsGone?: boolean; homeAccount?: string | undefined } = {},
): ClusterMatch {
  const namesake = config.clusters.find((c) => c.name === seen.name);
  if (namesake) {
    const account = identityOf(namesake).accountId ?? options.homeAccount;
    if (namesake.region === seen.region && (!account || !seen.accountId || account === seen.accountId)) {
      return { managed: true, cluster: namesake, listed: true, by: 'listed in clusters' };
    }
    // Clusters are known by name across the config (mappings, users): a namesake elsewhere is not this one.
    return {
      managed: false,
      reason: `the config's cluster is ${showCluster({ ...identityOf(namesake), ...(account ? { accountId: account } : {}) })}; ${showCluster(seen)} is another cluster`,
    };
  }
  const selectors = config.bootstrap?.selectors ?? [];
  for (const [index, selector] of selectors.entries()) {
    if (options.tagsGone && selector.tags && Object.keys(selector.tags).length > 0) continue;
    const miss = mismatch(selector, seen, options.ignoreTags === true || options.tagsGone === true);
    if (miss) continue;
    const roleArn = selector.roleArn?.replaceAll('{account}', seen.accountId ?? '');
    if (selector.roleArn?.includes('{account}') && !seen.accountId) {
      return { managed: false, reason: `selector ${index} needs the cluster's account to name its role` };
    }
    const by = `bootstrap selector ${index}${selector.namePattern ? ` (namePattern ${selector.namePattern})` : ''}`;
    return {
      managed: true,
      listed: false,
      by,
      cluster: {
        name: seen.name,
        region: seen.region,
        backend: selector.backend,
        ...(seen.accountId ? { accountId: seen.accountId } : {}),
        ...(roleArn ? { roleArn } : {}),
        ...(selector.externalId ? { externalId: selector.externalId } : {}),
        foundBy: by,
      },
    };
  }
  return {
    managed: false,
    reason:
      selectors.length === 0
        ? `cluster ${showCluster(seen)} is not listed in the config and no bootstrap selector is configured`
        : `cluster ${showCluster(seen)} is not listed and matches none of the ${selectors.length} bootstrap selectors${options.tagsGone ? ' (those naming tags cannot match a deleted cluster)' : ''}`,
  };
}

/** The first criterion a cluster fails, or undefined when the selector matches it. */
function mismatch(selector: ClusterSelector, seen: SeenCluster, ignoreTags: boolean): string | undefined {
  if (selector.namePattern !== undefined && !globMatches(selector.namePattern, seen.name)) return 'name';
  if (selector.regions && !selector.regions.includes(seen.region)) return 'region';
  if (selector.accounts && !(seen.accountId && selector.accounts.includes(seen.accountId))) return 'account';
  if (ignoreTags || !selector.tags) return undefined;
  for (const [key, value] of Object.entries(selector.tags)) {
    const actual = seen.tags?.[key];
    if (actual === undefined || (value !== '*' && actual !== value)) return 'tags';
  }
  return undefined;
}

/**
 * `*` any run of characters, `?` exactly one; everything else literal. Matched without a regex: a
 * `.*`-per-star regex backtracks exponentially (12 stars against a 40-character name took 82 s).
 * Only the last star is ever resumed, since a later star can absorb whatever an earlier one would
 * have: at most pattern × name steps.
 */
export function globMatches(pattern: string, name: string): boolean {
  const p = [...pattern];
  const n = [...name];
  let i = 0; // in the pattern
  let j = 0; // in the name
  let star = -1; // the pattern index after the last star seen
  let resume = 0; // where in the name that star's run ends so far
  while (j < n.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === n[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = ++i;
      resume = j;
    } else if (star >= 0) {
      i = star;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (p[i] === '*') i++;
  return i === p.length;
}

/** The config with a selector-matched cluster added, so the same use cases treat it as listed. */
export function withCluster(config: AccessConfig, cluster: ClusterConfig): AccessConfig {
  if (config.clusters.some((c) => c.name === cluster.name)) return config;
  return { ...config, clusters: [...config.clusters, cluster] };
}
