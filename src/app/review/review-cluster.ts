import type { AccessEntry } from '../../domain/access-entries/access-entries';
import { allowsAccessEntries } from '../../domain/access-entries/authentication-mode';
import { parsePrincipalArn } from '../../domain/arn';
import { desiredEntries, type IamUser } from '../../domain/aws-auth/desired-state';
import { mapsSystemMasters } from '../../domain/aws-auth/next-aws-auth';
import { type AccessConfig, appliesTo, type ClusterConfig } from '../../domain/config/config';
import { findingsFor } from '../../domain/review/findings';
import { collectIdentities, principalKey } from '../../domain/review/identities';
import type { ExternalUserFacts, ReviewFacts } from '../../domain/review/review-facts';
import { byFinding, type ClusterReview, type Identity } from '../../domain/review/review-model';
import { distinctSubjects, namedUsers } from '../../domain/review/subjects';
import { clustersOf, type ExternalUser } from '../../domain/rotation/external-users';
import { mapLimited } from '../map-limited';
import type { Clock, ClusterAccess, IamDirectory } from '../ports';
import { askRights } from './ask-rights';
import type { AccessReviewApiFactory, EksClusterReads, IamPrincipals } from './review-ports';

/** Subjects asked about at once: enough to hide round trips, few enough not to load the apiserver. */
const subjectConcurrency = 4;

/** DescribeCluster found no such cluster: there is nothing to review. */
export class ClusterNotFoundError extends Error {
  override name = 'ClusterNotFoundError';
}

export interface ReviewDeps {
  config: AccessConfig;
  iam: IamDirectory;
  principals: IamPrincipals;
  clusters: ClusterAccess;
  eks: EksClusterReads;
  reviewApi: AccessReviewApiFactory;
  clock: Clock;
  /** The expiry the last rotation recorded for a user's token on a cluster; absent: not known. */
  tokenExpiry?: (user: ExternalUser, cluster: ClusterConfig) => Promise<Date | undefined>;
  /** The principal that created the cluster, when known (it is an admin outside aws-auth). */
  creatorArn?: (cluster: ClusterConfig) => Promise<string | undefined>;
}

/** Reviews one cluster: who can reach it, from where, with which rights (the cluster's answers), what is wrong. */
export function reviewCluster(deps: ReviewDeps) {
  return async (cluster: ClusterConfig): Promise<ClusterReview> => {
    const now = deps.clock.now();
    const description = await deps.eks.describe(cluster);
    if (!description)
      throw new ClusterNotFoundError(`EKS has no cluster ${cluster.name} in ${cluster.region}`);
    const mode = description.authenticationMode;
    const api = deps.reviewApi(await deps.clusters.endpoint(cluster));
    const facts: ReviewFacts = {
      cluster: cluster.name,
      now,
      desired: desiredEntries(deps.config, cluster.name, await groupMembers(deps, cluster.name)),
      externalUsers: await externalUsers(deps, cluster, api),
      principalExists: new Map(),
      principalIds: new Map(),
      allowSystemMasters: mapsSystemMasters(deps.config),
    };
    if (mode !== 'API') {
      const snapshot = await (await deps.clusters.awsAuth(cluster)).read();
      if (snapshot.exists) facts.awsAuth = { data: snapshot.data, annotations: snapshot.annotations };
    }
    if (allowsAccessEntries(mode)) facts.accessEntries = await accessEntries(deps, cluster);
    const creator = await deps.creatorArn?.(cluster);
    if (creator) facts.creatorArn = creator;

    const collected = collectIdentities(facts);
    const inIam = await principalsInIam(deps.principals, collected.identities);
    facts.principalExists = inIam.exists;
    facts.principalIds = inIam.ids;
    const findings = [...collected.findings, ...findingsFor(facts, collected)];
    const [roleBindings, clusterRoleBindings] = await Promise.all([
      api.roleBindings(),
      api.clusterRoleBindings(),
    ]);
    let accessReviews = 0;
    const named = namedUsers([...roleBindings, ...clusterRoleBindings]);
    // A subject's questions depend on its earlier answers; different subjects' do not.
    await mapLimited(distinctSubjects(collected.identities, named), subjectConcurrency, async (group) => {
      const { rights, asked } = await askRights(api, group.subject, roleBindings);
      accessReviews += asked;
      for (const identity of group.identities) identity.rights = rights;
    });
    return {
      cluster: cluster.name,
      reviewedAt: now.toISOString(),
      identities: collected.identities,
      findings: findings.sort(byFinding),
      accessReviews,
    };
  };
}

async function groupMembers(deps: ReviewDeps, cluster: string): Promise<Map<string, IamUser[]>> {
  const members = new Map<string, IamUser[]>();
  for (const mapping of deps.config.groups) {
    if (!appliesTo(mapping, cluster)) continue;
    // A group IAM no longer has grants nothing: its would-be members show up as drift, if anywhere.
    members.set(mapping.iamGroup, (await deps.iam.groupMembers(mapping.iamGroup)) ?? []);
  }
  return members;
}

async function externalUsers(
  deps: ReviewDeps,
  cluster: ClusterConfig,
  api: ReturnType<AccessReviewApiFactory>,
): Promise<ExternalUserFacts[]> {
  const users = deps.config.externalUsers.filter((u) =>
    clustersOf(
      u,
      deps.config.clusters.map((c) => c.name),
    ).includes(cluster.name),
  );
  if (users.length === 0) return [];
  const accounts = await api.externalServiceAccounts();
  const facts: ExternalUserFacts[] = [];
  for (const user of users) {
    const found = accounts.some((a) => a.namespace === user.namespace && a.name === user.name);
    const expiry = found ? await deps.tokenExpiry?.(user, cluster) : undefined;
    facts.push({
      name: user.name,
      namespace: user.namespace,
      serviceAccountFound: found,
      rotateBefore: user.rotateBefore,
      ...(expiry ? { tokenExpiresAt: expiry } : {}),
    });
  }
  return facts;
}

async function accessEntries(deps: ReviewDeps, cluster: ClusterConfig): Promise<AccessEntry[]> {
  const store = await deps.eks.accessEntries(cluster);
  const entries = await store.list();
  return Promise.all(
    entries.map(async (entry) => ({
      ...entry,
      policies: entry.policies ?? (await store.policies(entry.principalArn)),
    })),
  );
}

/** Asks IAM once per principal key whether it still exists, and under which unique id. */
async function principalsInIam(principals: IamPrincipals, identities: readonly Identity[]) {
  const exists = new Map<string, boolean>();
  const ids = new Map<string, string>();
  for (const identity of identities) {
    if (!['mapRoles', 'mapUsers', 'accessEntry', 'creator'].includes(identity.channel)) continue;
    const key = principalKey(identity.principal);
    if (exists.has(key)) continue;
    let arn: ReturnType<typeof parsePrincipalArn>;
    try {
      arn = parsePrincipalArn(identity.principal);
    } catch {
      continue; // reported as an entry that never matches
    }
    const id = await principals.uniqueId(arn);
    if (id === undefined) continue;
    exists.set(key, id !== null);
    if (id !== null) ids.set(key, id);
  }
  return { exists, ids };
}
