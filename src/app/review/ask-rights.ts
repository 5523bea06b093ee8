import {
  clusterAdminQuestion,
  clusterQuestions,
  inNamespace,
  maxNamespacesPerSubject,
  namespacedQuestionIds,
  type Question,
} from '../../domain/review/questions';
import type { QuestionId, Rights } from '../../domain/review/review-model';
import { type BindingSubjects, boundNamespaces, type Subject } from '../../domain/review/subjects';
import type { AccessReviewApi } from './review-ports';

/**
 * Asks the cluster what one subject may do: cluster-admin first (then nothing else needs asking),
 * the matrix cluster-wide, then, in each namespace a RoleBinding names the subject in, what it
 * could not do cluster-wide. The cluster decides every answer; nothing here evaluates RBAC.
 */
export async function askRights(
  api: Pick<AccessReviewApi, 'allowed'>,
  subject: Subject,
  roleBindings: readonly BindingSubjects[],
): Promise<{ rights: Rights; asked: number }> {
  let asked = 0;
  const ask = (question: Question) => {
    asked++;
    return api.allowed(subject, question);
  };
  if (await ask(clusterAdminQuestion)) {
    const all = clusterQuestions.map((q) => q.id).sort();
    return { rights: { clusterAdmin: true, clusterWide: all, namespaces: {}, namespacesLeftOut: 0 }, asked };
  }
  const clusterWide: QuestionId[] = [];
  for (const question of clusterQuestions) if (await ask(question)) clusterWide.push(question.id);
  const remaining = namespacedQuestionIds.filter((id) => !clusterWide.includes(id));
  const namespaces: Record<string, QuestionId[]> = {};
  const bound = boundNamespaces(subject, roleBindings);
  const considered = remaining.length > 0 ? bound.slice(0, maxNamespacesPerSubject) : [];
  for (const namespace of considered) {
    const allowed: QuestionId[] = [];
    for (const id of remaining) if (await ask(inNamespace(id, namespace))) allowed.push(id);
    if (allowed.length > 0) namespaces[namespace] = allowed.sort();
  }
  return {
    rights: {
      clusterAdmin: false,
      clusterWide: clusterWide.sort(),
      namespaces,
      namespacesLeftOut: remaining.length > 0 ? bound.length - considered.length : 0,
    },
    asked,
  };
}
