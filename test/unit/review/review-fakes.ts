import type {
  AccessEntryStore,
  ClusterDescription,
  EksClusters,
} from '../../../src/app/access-entries/eks-ports';
import type { AwsAuthStore, ClusterAccess, IamDirectory } from '../../../src/app/ports';
import type { ReviewDeps } from '../../../src/app/review/review-cluster';
import type { AccessReviewApi, ExternalServiceAccount } from '../../../src/app/review/review-ports';
import type { AccessEntry } from '../../../src/domain/access-entries/access-entries';
import { arnKey } from '../../../src/domain/arn';
import type { Section } from '../../../src/domain/aws-auth/aws-auth';
import type { IamUser } from '../../../src/domain/aws-auth/desired-state';
import {
  emptyOwnership,
  encodeOwnership,
  entryDigest,
  ownedAnnotation,
} from '../../../src/domain/aws-auth/ownership';
import type { AccessConfig } from '../../../src/domain/config/config';
import type { Question } from '../../../src/domain/review/questions';
import type { BindingSubjects, Subject } from '../../../src/domain/review/subjects';

/**
 * The ownership annotation as sync writes it: each entry claimed with the digest of exactly what
 * the tool wrote, so that a claim holds only while the entry still reads so.
 */
export function ownedBySync(
  entries: { section: Section; arn: string; username: string; groups: string[] }[],
): Record<string, string> {
  const owned = emptyOwnership();
  for (const entry of entries) owned[entry.section].set(arnKey(entry.arn), entryDigest(entry));
  return { [ownedAnnotation]: encodeOwnership(owned) };
}

export const secretToken = 'k8s-aws-v1.c2VjcmV0LXRva2VuLW5ldmVyLXNob3du';

/**
 * A cluster that answers SubjectAccessReviews from a table of who may do what (by group, or by
 * user), and counts them. It is a stand-in for the apiserver's answers, not RBAC: the tests set
 * the answers and check how they are asked and reported.
 */
export function fakeReviewApi(options: {
  admins?: string[];
  /** group or user → question ids allowed cluster-wide */
  allowed?: Record<string, string[]>;
  /** `namespace/group` → question ids allowed there */
  allowedIn?: Record<string, string[]>;
  roleBindings?: BindingSubjects[];
  clusterRoleBindings?: BindingSubjects[];
  serviceAccounts?: ExternalServiceAccount[];
}) {
  const asked: { subject: Subject; question: Question }[] = [];
  const names = (s: Subject) => [s.user, ...s.groups];
  const api: AccessReviewApi = {
    async allowed(subject, question) {
      asked.push({ subject, question });
      if (names(subject).some((n) => options.admins?.includes(n))) return true;
      if (question.id === 'cluster-admin') return false;
      if (question.namespace && question.id !== 'kube-system/configmaps:update') {
        return names(subject).some((n) =>
          options.allowedIn?.[`${question.namespace}/${n}`]?.includes(question.id),
        );
      }
      return names(subject).some((n) => options.allowed?.[n]?.includes(question.id));
    },
    roleBindings: async () => options.roleBindings ?? [],
    clusterRoleBindings: async () => options.clusterRoleBindings ?? [],
    externalServiceAccounts: async () => options.serviceAccounts ?? [],
  };
  return { api, asked };
}

export function reviewDeps(options: {
  config: AccessConfig;
  awsAuth: Record<string, string>;
  annotations?: Record<string, string>;
  members: Record<string, IamUser[]>;
  api: AccessReviewApi;
  gone?: string[];
  /** IAM's unique id of a principal by name today; absent: `ID-<name>`. */
  ids?: Record<string, string>;
  mode?: ClusterDescription['authenticationMode'];
  /** The cluster's access entries, their policies read through `policies` as EKS lists them. */
  accessEntries?: AccessEntry[];
}): ReviewDeps {
  const store: AwsAuthStore = {
    read: async () => {
      if (options.mode === 'API') throw new Error('a cluster in API mode has no aws-auth to read');
      return { exists: true, data: options.awsAuth, annotations: options.annotations ?? {} };
    },
    write: async () => {
      throw new Error('the review never writes');
    },
    saveBackup: async () => {
      throw new Error('the review never writes');
    },
    readBackup: async () => undefined,
  };
  const clusters: ClusterAccess = {
    awsAuth: async () => store,
    endpoint: async () => ({ server: 'https://127.0.0.1:1', caData: 'Q0E=', token: secretToken }),
  };
  const iam: IamDirectory = {
    groupMembers: async (group) => options.members[group],
    userGroups: async () => undefined,
  };
  const eks: EksClusters = {
    describe: async (cluster) => ({
      name: cluster.name,
      region: cluster.region,
      status: 'ACTIVE',
      authenticationMode: options.mode ?? 'CONFIG_MAP',
      tags: {},
      partition: 'aws',
    }),
    accessEntries: async () => {
      if (!options.accessEntries) throw new Error('no access entries in this fake');
      const entries = options.accessEntries;
      return {
        requests: 0,
        list: async () => entries.map(({ policies: _, ...entry }) => entry),
        policies: async (arn: string) => entries.find((e) => e.principalArn === arn)?.policies ?? [],
      } as unknown as AccessEntryStore;
    },
  };
  return {
    config: options.config,
    iam,
    clusters,
    eks,
    principals: {
      uniqueId: async (arn) =>
        (options.gone ?? []).includes(arn.name) ? null : (options.ids?.[arn.name] ?? `ID-${arn.name}`),
    },
    reviewApi: () => options.api,
    clock: { now: () => new Date('2026-12-04T12:00:00Z') },
  };
}
