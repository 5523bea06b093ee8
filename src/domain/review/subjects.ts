import { sortedUnique } from '../aws-auth/desired-state';
import type { Identity } from './review-model';

/** Who a SubjectAccessReview asks about: a username and its groups. */
export interface Subject {
  user: string;
  groups: string[];
  /** `user` + groups: identities with the same key get the same answers. */
  key: string;
}

/** A RoleBinding's subjects, as far as finding the namespaces that matter for a subject goes. */
export interface BindingSubjects {
  namespace: string;
  subjects: { kind: string; name: string; namespace?: string }[];
}

/**
 * Stands for every username no binding names. RBAC looks a username up only in the bindings that
 * name it, so identities whose names no binding names differ only by their groups; asking once for
 * them all keeps the reviews bounded by the distinct group sets, not by the number of people.
 */
export const unnamedUser = 'eks-access-sync:review:unnamed-user';

/**
 * The subject the cluster is asked about for an identity. A `system:` username is kept as it is:
 * other authorizers (the Node authorizer) decide by it. Every authenticated request carries
 * `system:authenticated`, so the question does too.
 */
export function subjectOf(identity: Identity, namedUsers: ReadonlySet<string>): Subject {
  const user =
    namedUsers.has(identity.username) || identity.username.startsWith('system:')
      ? identity.username
      : unnamedUser;
  const groups = sortedUnique([...identity.groups, 'system:authenticated']);
  return { user, groups, key: `${user}\n${groups.join('\n')}` };
}

/** The usernames some binding names as a User: the only usernames that can change an answer. */
export function namedUsers(bindings: readonly BindingSubjects[]): Set<string> {
  const names = new Set<string>();
  for (const binding of bindings) {
    for (const s of binding.subjects) if (s.kind === 'User') names.add(s.name);
  }
  return names;
}

/** Identities grouped by subject, subjects sorted by key: each is asked about once. */
export function distinctSubjects(
  identities: readonly Identity[],
  named: ReadonlySet<string>,
): { subject: Subject; identities: Identity[] }[] {
  const bySubject = new Map<string, { subject: Subject; identities: Identity[] }>();
  for (const identity of identities) {
    const subject = subjectOf(identity, named);
    const known = bySubject.get(subject.key) ?? { subject, identities: [] };
    known.identities.push(identity);
    bySubject.set(subject.key, known);
  }
  return [...bySubject.values()].sort((a, b) => (a.subject.key < b.subject.key ? -1 : 1));
}

/**
 * The namespaces where a RoleBinding names the subject (as User, Group or ServiceAccount), sorted:
 * the only namespaces where its rights can differ from its cluster-wide ones.
 */
export function boundNamespaces(subject: Subject, bindings: readonly BindingSubjects[]): string[] {
  const names = new Set<string>();
  for (const binding of bindings) {
    const named = binding.subjects.some(
      (s) =>
        (s.kind === 'User' && s.name === subject.user) ||
        (s.kind === 'Group' && subject.groups.includes(s.name)) ||
        (s.kind === 'ServiceAccount' &&
          `system:serviceaccount:${s.namespace ?? binding.namespace}:${s.name}` === subject.user),
    );
    if (named) names.add(binding.namespace);
  }
  return [...names].sort();
}
