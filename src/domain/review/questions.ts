import type { QuestionId } from './review-model';

/** One SubjectAccessReview question: may the subject do `verb` on this resource (in `namespace`)? */
export interface Question {
  id: QuestionId;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Absent: cluster-wide (every namespace). */
  namespace?: string;
}

/** `* * *` everywhere: the subject can do anything, so nothing else needs asking. */
export const clusterAdminQuestion: Question = { id: 'cluster-admin', verb: '*', group: '*', resource: '*' };

/** The short matrix people care about, asked cluster-wide. */
export const clusterQuestions: readonly Question[] = [
  { id: 'secrets:get', verb: 'get', group: '', resource: 'secrets' },
  { id: 'secrets:list', verb: 'list', group: '', resource: 'secrets' },
  { id: 'pods/exec:create', verb: 'create', group: '', resource: 'pods', subresource: 'exec' },
  { id: 'deployments:create', verb: 'create', group: 'apps', resource: 'deployments' },
  { id: 'deployments:update', verb: 'update', group: 'apps', resource: 'deployments' },
  {
    id: 'clusterrolebindings:create',
    verb: 'create',
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterrolebindings',
  },
  { id: 'rolebindings:create', verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  {
    id: 'clusterroles:escalate',
    verb: 'escalate',
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterroles',
  },
  { id: 'clusterroles:bind', verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  {
    id: 'kube-system/configmaps:update',
    verb: 'update',
    group: '',
    resource: 'configmaps',
    namespace: 'kube-system',
  },
];

/** The questions that can have another answer in a namespace a RoleBinding grants. */
export const namespacedQuestionIds: readonly QuestionId[] = [
  'secrets:get',
  'secrets:list',
  'pods/exec:create',
  'deployments:create',
  'deployments:update',
  'rolebindings:create',
];

/** The same question, asked in one namespace. */
export function inNamespace(id: QuestionId, namespace: string): Question {
  const question = clusterQuestions.find((q) => q.id === id);
  if (!question) throw new RangeError(`no question ${id}`);
  return { ...question, namespace };
}

/** At most this many namespaces are asked about per subject; the rest are counted as left out. */
export const maxNamespacesPerSubject = 20;

/** The most SubjectAccessReviews one subject can cost. */
export const maxQuestionsPerSubject =
  1 + clusterQuestions.length + namespacedQuestionIds.length * maxNamespacesPerSubject;
