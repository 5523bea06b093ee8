import { type AccessEntry, clusterAdminPolicy, isOwned } from '../access-entries/access-entries';
import { principalIdStatus, principalIdTag } from '../access-entries/principal-id';
import { parsePrincipalArn } from '../arn';
import type { AwsAuthEntry } from '../aws-auth/aws-auth';
import type { DesiredEntry } from '../aws-auth/desired-state';
import type { ClaimStatus } from '../aws-auth/ownership-claims';
import { InvalidArnError } from '../errors';
import { type CollectedIdentities, principalKey } from './identities';
import type { ReviewFacts } from './review-facts';
import { byFinding, type Finding, type Identity } from './review-model';

/** What the review reports as wrong on one cluster, most severe first. */
export function findingsFor(facts: ReviewFacts, collected: CollectedIdentities): Finding[] {
  const { identities, awsAuthEntries, claims } = collected;
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  for (const identity of identities) {
    principalGone(identity, facts.principalExists, add);
    if (!identity.ours && isAwsAuth(identity) && identity.groups.includes('system:masters')) {
      add({
        severity: 'high',
        kind: 'hand-written-system-masters',
        subject: identity.key,
        message: `${identity.principal} is in system:masters through an aws-auth entry written by hand: cluster-admin that no IAM group grants or revokes`,
      });
    }
    if (identity.channel === 'mapAccounts') {
      add({
        severity: 'medium',
        kind: 'whole-account',
        subject: identity.key,
        message: `mapAccounts lets every IAM user and role of account ${identity.principal} authenticate (username = its ARN)`,
      });
    }
  }
  for (const entry of facts.accessEntries ?? []) recreatedPrincipal(entry, facts.principalIds, add);
  for (const entry of awsAuthEntries) neverMatches(entry, add);
  shadowed(facts, awsAuthEntries, add);
  tokens(facts, add);
  // What an unreadable aws-auth grants is unknown: nothing is missing or stale for certain.
  if (collected.awsAuthReadable) drift(facts.desired, facts, awsAuthEntries, claims, add);
  return findings.sort(byFinding);
}

function isAwsAuth(identity: Identity): boolean {
  return identity.channel === 'mapRoles' || identity.channel === 'mapUsers';
}

function principalGone(identity: Identity, exists: ReadonlyMap<string, boolean>, add: (f: Finding) => void) {
  if (identity.channel === 'mapAccounts' || identity.channel === 'serviceAccount') return;
  if (exists.get(principalKey(identity.principal)) !== false) return;
  const admin =
    identity.groups.includes('system:masters') ||
    identity.accessPolicies.some((p) => p.startsWith(`${clusterAdminPolicy}(`));
  add({
    severity: admin ? 'high' : 'medium',
    kind: 'principal-gone',
    subject: identity.key,
    message: `${identity.principal} no longer exists in IAM, but its ${identity.channel} entry stays: whoever creates it again with that name gets this access`,
  });
}

/** EKS bound the entry to the id recorded on it; IAM has another principal under that ARN now, whom it does not let in. */
function recreatedPrincipal(entry: AccessEntry, ids: ReadonlyMap<string, string>, add: (f: Finding) => void) {
  const current = ids.get(principalKey(entry.principalArn));
  if (principalIdStatus(entry, current) !== 'recreated') return;
  add({
    severity: 'medium',
    kind: 'recreated-principal',
    subject: entry.key,
    message: `${entry.principalArn}: recreated principal: the access entry was made for an earlier principal of this ARN (id ${entry.tags[principalIdTag]}, IAM's is ${current} now); EKS lets the new one in through it no more`,
  });
}

/** An entry the authenticator can never match: a role with a path, a session ARN, the wrong kind. */
function neverMatches(entry: AwsAuthEntry, add: (f: Finding) => void) {
  if (!entry.arn) return;
  const expected = entry.section === 'mapRoles' ? 'role' : 'user';
  let why: string | undefined;
  try {
    const arn = parsePrincipalArn(entry.arn);
    if (arn.kind !== expected) why = `it is an IAM ${arn.kind} ARN in ${entry.section}`;
    else if (arn.kind === 'role' && arn.path !== '/') why = 'a role ARN with a path never matches';
  } catch (error) {
    if (!(error instanceof InvalidArnError)) throw error;
    why = error.message;
  }
  if (!why) return;
  add({
    severity: 'medium',
    kind: 'never-matches',
    subject: entry.key,
    message: `${entry.section} line ${entry.line}: the authenticator never matches ${entry.arn}: ${why}`,
  });
}

/** Where a principal has an access entry too, EKS uses the access entry and ignores its aws-auth entry. */
function shadowed(facts: ReviewFacts, entries: readonly AwsAuthEntry[], add: (f: Finding) => void) {
  const byKey = new Map((facts.accessEntries ?? []).map((e) => [principalKey(e.principalArn), e]));
  for (const entry of entries) {
    const shadow = entry.arn ? byKey.get(principalKey(entry.arn)) : undefined;
    if (!shadow) continue;
    add({
      severity: 'low',
      kind: 'shadowed',
      subject: entry.key,
      message: `${entry.section} line ${entry.line} (${entry.arn}) is ignored: the access entry for ${shadow.principalArn} takes precedence`,
    });
  }
}

function tokens(facts: ReviewFacts, add: (f: Finding) => void) {
  for (const user of facts.externalUsers) {
    const subject = `${user.namespace}/${user.name}`;
    if (!user.serviceAccountFound) {
      add({
        severity: 'medium',
        kind: 'external-user-missing',
        subject,
        message: `external user ${user.name} is configured but has no ServiceAccount ${subject} on the cluster (rotation has not run, or it was deleted)`,
      });
      continue;
    }
    if (!user.tokenExpiresAt) continue;
    const left = Math.floor((user.tokenExpiresAt.getTime() - facts.now.getTime()) / 1000);
    const at = user.tokenExpiresAt.toISOString();
    if (left <= 0) {
      add({
        severity: 'high',
        kind: 'token-expired',
        subject,
        message: `external user ${user.name}'s token expired at ${at}`,
      });
    } else if (left < user.rotateBefore) {
      add({
        severity: 'medium',
        kind: 'token-expiring',
        subject,
        message: `external user ${user.name}'s token expires at ${at}, inside the rotation window: rotation is overdue`,
      });
    }
  }
}

/** Differences between what IAM and the config want and what the cluster holds. */
function drift(
  desired: readonly DesiredEntry[],
  facts: ReviewFacts,
  entries: readonly AwsAuthEntry[],
  claims: ReadonlyMap<AwsAuthEntry, ClaimStatus>,
  add: (f: Finding) => void,
) {
  const claimed = (e: AwsAuthEntry) => claims.get(e) === 'owned' || claims.get(e) === 'drifted';
  const inAwsAuth = new Map(entries.map((e) => [`${e.section}:${e.key}`, e]));
  const accessKeys = new Set((facts.accessEntries ?? []).map((e) => principalKey(e.principalArn)));
  const wanted = new Set(desired.map((d) => `${d.section}:${d.key}`));
  for (const d of desired) {
    const present = inAwsAuth.get(`${d.section}:${d.key}`);
    if (!present && !accessKeys.has(principalKey(d.principalArn ?? d.arn))) {
      add({
        severity: 'medium',
        kind: 'drift-missing',
        subject: d.key,
        message: `${d.arn} should reach the cluster (${d.sources.join(', ')}) but has no entry: a sync adds it`,
      });
    } else if (present && claimed(present) && !sameGrant(present, d)) {
      add({
        severity: 'medium',
        kind: 'drift-changed',
        subject: d.key,
        message: `${d.arn} is ${present.username} [${present.groups.join(' ')}] on the cluster, ${d.username} [${d.groups.join(' ')}] in IAM and the config`,
      });
    }
  }
  const wantedPrincipals = new Set(desired.map((d) => principalKey(d.principalArn ?? d.arn)));
  for (const e of facts.accessEntries ?? []) {
    if (!isOwned(e) || wantedPrincipals.has(principalKey(e.principalArn))) continue;
    add({
      severity: 'medium',
      kind: 'drift-stale',
      subject: e.key,
      message: `the access entry for ${e.principalArn} was made by this tool but IAM and the config no longer grant it: a sync removes it`,
    });
  }
  for (const e of entries) {
    // A changed entry is only reported by sync, never removed: it is not stale in the sync's sense.
    if (claims.get(e) !== 'owned' || wanted.has(`${e.section}:${e.key}`)) continue;
    add({
      severity: 'medium',
      kind: 'drift-stale',
      subject: e.key,
      message: `${e.arn} was written by this tool but IAM and the config no longer grant it: a sync removes it`,
    });
  }
}

function sameGrant(entry: AwsAuthEntry, d: DesiredEntry): boolean {
  return entry.username === d.username && [...entry.groups].sort().join('\n') === d.groups.join('\n');
}
