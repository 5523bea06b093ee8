import type { ClusterConfig } from '../../domain/config/config';
import type { Question } from '../../domain/review/questions';
import type { BindingSubjects, Subject } from '../../domain/review/subjects';
import type { AccessEntryReads, EksClusters } from '../access-entries/eks-ports';
import type { PrincipalIds } from '../access-entries/principal-ids';
import type { ClusterEndpoint } from '../ports';

/** A ServiceAccount this tool made for an external user, as listed by its labels. */
export interface ExternalServiceAccount {
  namespace: string;
  name: string;
  /** The external user it was made for (its label). */
  user: string;
}

/** What the review asks one cluster: its bindings, its external users' ServiceAccounts, and SubjectAccessReviews. */
export interface AccessReviewApi {
  /** The cluster's own answer (SubjectAccessReview): may the subject do what the question asks? */
  allowed(subject: Subject, question: Question): Promise<boolean>;
  /** Every RoleBinding's namespace and subjects. */
  roleBindings(): Promise<BindingSubjects[]>;
  /** Every ClusterRoleBinding's subjects (namespace `''`). */
  clusterRoleBindings(): Promise<BindingSubjects[]>;
  externalServiceAccounts(): Promise<ExternalServiceAccount[]>;
}

export type AccessReviewApiFactory = (endpoint: ClusterEndpoint) => AccessReviewApi;

/** Whether IAM still has a principal, by its unique id (`null`: gone; `undefined`: cannot tell, another account). */
export type IamPrincipals = PrincipalIds;

/** What the review asks EKS: a cluster's description and its access entries; it writes nothing. */
export interface EksClusterReads {
  describe: EksClusters['describe'];
  accessEntries(cluster: ClusterConfig): Promise<AccessEntryReads>;
}
