import { type AccessEntry, isOwned, showPolicy } from '../access-entries/access-entries';
import { arnKey, authenticatorRoleArn, parsePrincipalArn } from '../arn';
import { type AwsAuthEntry, parseAwsAuth, parseSection } from '../aws-auth/aws-auth';
import { type DesiredEntry, sortedUnique } from '../aws-auth/desired-state';
import { type Ownership, readOwnership } from '../aws-auth/ownership';
import { type ClaimStatus, claimStatus } from '../aws-auth/ownership-claims';
import { AwsAuthParseError } from '../errors';
import type { ReviewFacts } from './review-facts';
import { byIdentity, type Finding, type Identity } from './review-model';

export interface CollectedIdentities {
  identities: Identity[];
  /** What reading the cluster's own records already showed (an aws-auth that cannot be parsed). */
  findings: Finding[];
  /** The aws-auth entries as parsed, for the other findings. */
  awsAuthEntries: AwsAuthEntry[];
  ownership: Ownership;
  /**
   * What each entry's ownership claim is worth, judged as sync judges it: an entry is ours only while
   * it still reads as the tool wrote it; a changed one is drift, a claim on a node role is ignored.
   */
  claims: ReadonlyMap<AwsAuthEntry, ClaimStatus>;
  /** False when aws-auth could not be parsed: what it grants is unknown, so no drift is inferred. */
  awsAuthReadable: boolean;
}

/** Every identity that can authenticate to the cluster, with where it comes from; sorted. */
export function collectIdentities(facts: ReviewFacts): CollectedIdentities {
  const findings: Finding[] = [];
  const { entries, ownership, accounts, readable } = readAwsAuth(facts, findings);
  const desired = new Map(facts.desired.map((d) => [`${d.section}:${d.key}`, d]));
  const policy = { allowSystemMasters: facts.allowSystemMasters };
  const claims = new Map(entries.map((entry) => [entry, claimStatus(entry, ownership, policy)]));
  const identities: Identity[] = entries.map((entry) =>
    fromAwsAuth(entry, claims.get(entry) ?? 'unowned', desired.get(`${entry.section}:${entry.key}`)),
  );
  for (const account of accounts) {
    identities.push({
      channel: 'mapAccounts',
      principal: account,
      key: account,
      username: '(the principal ARN)',
      groups: [],
      sources: ['written by hand'],
      ours: false,
      accessPolicies: [],
    });
  }
  const creatorKey = facts.creatorArn ? principalKey(facts.creatorArn) : undefined;
  let creatorHasEntry = false;
  const byPrincipal = new Map(facts.desired.map((d) => [arnKey(d.principalArn ?? d.arn), d]));
  for (const entry of facts.accessEntries ?? []) {
    const identity = fromAccessEntry(entry, byPrincipal.get(entry.key));
    if (creatorKey && principalKey(entry.principalArn) === creatorKey) {
      identity.sources = sortedUnique([...identity.sources, 'cluster creator']);
      creatorHasEntry = true;
    }
    identities.push(identity);
  }
  if (facts.creatorArn && creatorKey && !creatorHasEntry) {
    // EKS makes the creator an admin outside aws-auth (CONFIG_MAP mode): it appears nowhere else.
    identities.push({
      channel: 'creator',
      principal: facts.creatorArn,
      key: creatorKey,
      username: facts.creatorArn,
      groups: ['system:masters'],
      sources: ['cluster creator'],
      ours: false,
      accessPolicies: [],
    });
  }
  for (const user of facts.externalUsers) {
    if (!user.serviceAccountFound) continue;
    identities.push({
      channel: 'serviceAccount',
      principal: `${user.namespace}/${user.name}`,
      key: `${user.namespace}/${user.name}`,
      username: `system:serviceaccount:${user.namespace}:${user.name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${user.namespace}`],
      sources: [`external user ${user.name}`],
      ours: true,
      accessPolicies: [],
      ...(user.tokenExpiresAt ? { tokenExpiresAt: user.tokenExpiresAt.toISOString() } : {}),
    });
  }
  return {
    identities: identities.sort(byIdentity),
    findings,
    awsAuthEntries: entries,
    ownership,
    claims,
    awsAuthReadable: readable,
  };
}

function readAwsAuth(facts: ReviewFacts, findings: Finding[]) {
  const none = {
    entries: [] as AwsAuthEntry[],
    ownership: readOwnership(undefined),
    accounts: [] as string[],
    readable: true,
  };
  if (!facts.awsAuth) return none;
  try {
    const { entries } = parseAwsAuth(facts.awsAuth.data);
    const ownership = readOwnership(facts.awsAuth.annotations);
    return { entries, ownership, accounts: mapAccounts(facts.awsAuth.data), readable: true };
  } catch (error) {
    if (!(error instanceof AwsAuthParseError)) throw error;
    for (const problem of error.problems) {
      findings.push({
        severity: 'high',
        kind: 'aws-auth-unreadable',
        subject: 'aws-auth',
        message: `aws-auth cannot be read as the authenticator reads it (its identities are not listed): ${problem}`,
      });
    }
    return { ...none, readable: false };
  }
}

function fromAwsAuth(entry: AwsAuthEntry, claim: ClaimStatus, wanted: DesiredEntry | undefined): Identity {
  const ours = claim === 'owned';
  const sources = ours
    ? wanted
      ? wanted.sources.map(describeSource)
      : ['written by this tool, no longer configured']
    : claim === 'drifted'
      ? ['written by this tool, changed by hand since']
      : [wanted ? 'written by hand (also configured; not adopted)' : 'written by hand'];
  if (entry.groups.includes('system:nodes')) sources.push('node role');
  return {
    channel: entry.section,
    principal: entry.arn || `(no ARN, line ${entry.line})`,
    key: entry.key,
    username: entry.username,
    groups: sortedUnique(entry.groups),
    sources: sortedUnique(sources),
    ours,
    accessPolicies: [],
  };
}

function fromAccessEntry(entry: AccessEntry, wanted: DesiredEntry | undefined): Identity {
  const ours = isOwned(entry);
  const policies = (entry.policies ?? []).map(showPolicy).sort();
  const sources = [
    entry.type === 'STANDARD' ? 'access entry' : `access entry (${entry.type})`,
    ...(ours && wanted ? wanted.sources.map(describeSource) : []),
    ...(ours && !wanted ? ['written by this tool, no longer configured'] : []),
    ...(!ours && entry.type === 'STANDARD' ? ['made by hand'] : []),
  ];
  return {
    channel: 'accessEntry',
    principal: entry.principalArn,
    key: entry.key,
    username: entry.username,
    groups: sortedUnique(entry.groups),
    sources: sortedUnique(sources),
    ours,
    accessPolicies: policies,
  };
}

/** desiredEntries' `group NAME` / `role ARN` in the words of the report. */
function describeSource(source: string): string {
  if (source.startsWith('group ')) return `IAM group ${source.slice('group '.length)}`;
  if (source.startsWith('role ')) return 'configured role';
  return source;
}

function mapAccounts(data: Record<string, string>): string[] {
  if (data.mapAccounts === undefined) return [];
  // parseAwsAuth has checked it is a list of single values (or blank).
  const accounts: unknown = parseSection(data.mapAccounts).doc.toJS();
  return Array.isArray(accounts) ? sortedUnique(accounts.map(String)) : [];
}

/** How the authenticator keys a principal: a role by its ARN without path, a user as written. */
export function principalKey(arn: string): string {
  try {
    const parsed = parsePrincipalArn(arn);
    return arnKey(parsed.kind === 'role' ? authenticatorRoleArn(parsed) : parsed.arn);
  } catch {
    return arnKey(arn);
  }
}
