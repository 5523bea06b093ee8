/**
 * The access review's report model: per cluster, every identity that can authenticate, where it
 * comes from, what Kubernetes sees it as, what the cluster lets it do, and what is wrong with it.
 */

/** How an identity gets in: an aws-auth section, an EKS access entry, a ServiceAccount, or being the creator. */
export type Channel = 'mapRoles' | 'mapUsers' | 'mapAccounts' | 'accessEntry' | 'serviceAccount' | 'creator';

export interface Identity {
  channel: Channel;
  /** The IAM ARN as written, the account id (mapAccounts), or `namespace/name` of a ServiceAccount. */
  principal: string;
  /** What it is compared and sorted by: the lower-cased ARN, the account, the ServiceAccount. */
  key: string;
  /** The Kubernetes username it gets (a template such as `sso:{{SessionName}}` as written). */
  username: string;
  /** Its Kubernetes groups, sorted, without the `system:authenticated` every identity has. */
  groups: string[];
  /** Where it comes from, sorted: `IAM group eks-admins`, `configured role`, `written by hand`, … */
  sources: string[];
  /** Written by this tool (per the ownership annotation, the access entry's tag, the ServiceAccount's labels). */
  ours: boolean;
  /** Access policies of an access entry, `Policy(cluster)` or `Policy(ns1 ns2)`. */
  accessPolicies: string[];
  /** An external user's current token expiry, ISO 8601, when known. */
  tokenExpiresAt?: string;
  /** Filled in once the cluster has answered; absent when it could not be asked. */
  rights?: Rights;
}

/** Ids of the questions asked of the cluster; see questions.ts. */
export type QuestionId =
  | 'cluster-admin'
  | 'secrets:get'
  | 'secrets:list'
  | 'pods/exec:create'
  | 'deployments:create'
  | 'deployments:update'
  | 'clusterrolebindings:create'
  | 'rolebindings:create'
  | 'clusterroles:escalate'
  | 'clusterroles:bind'
  | 'kube-system/configmaps:update';

/** What the cluster answered for one identity's subject. */
export interface Rights {
  clusterAdmin: boolean;
  /** The questions the cluster allowed cluster-wide (every namespace), sorted. */
  clusterWide: QuestionId[];
  /** Namespace → the questions allowed there beyond the cluster-wide ones; only non-empty namespaces. */
  namespaces: Record<string, QuestionId[]>;
  /** More namespaces bind this subject than were asked about (the bound on SubjectAccessReviews). */
  namespacesLeftOut: number;
}

export type Severity = 'high' | 'medium' | 'low';

export type FindingKind =
  | 'aws-auth-unreadable'
  | 'principal-gone'
  | 'recreated-principal'
  | 'hand-written-system-masters'
  | 'token-expiring'
  | 'token-expired'
  | 'shadowed'
  | 'never-matches'
  | 'whole-account'
  | 'drift-missing'
  | 'drift-stale'
  | 'drift-changed'
  | 'external-user-missing';

export interface Finding {
  severity: Severity;
  kind: FindingKind;
  /** The identity it is about (its key), or `aws-auth`. */
  subject: string;
  message: string;
}

export interface ClusterReview {
  cluster: string;
  /** ISO 8601, from the injected clock. */
  reviewedAt: string;
  identities: Identity[];
  /** Most severe first, then by subject and kind. */
  findings: Finding[];
  /** SubjectAccessReviews asked for this cluster. */
  accessReviews: number;
  /** Set when the cluster could not be reviewed at all. */
  error?: string;
}

const severityOrder: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function byFinding(a: Finding, b: Finding): number {
  return (
    severityOrder[a.severity] - severityOrder[b.severity] ||
    compare(a.subject, b.subject) ||
    compare(a.kind, b.kind) ||
    compare(a.message, b.message)
  );
}

const channelOrder: Channel[] = [
  'creator',
  'accessEntry',
  'mapRoles',
  'mapUsers',
  'mapAccounts',
  'serviceAccount',
];

export function byIdentity(a: Identity, b: Identity): number {
  return channelOrder.indexOf(a.channel) - channelOrder.indexOf(b.channel) || compare(a.key, b.key);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
