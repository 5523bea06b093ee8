import { ApiException, type RbacV1Subject, type V1ListMeta } from '@kubernetes/client-node';
import type { ClusterEndpoint } from '../../app/ports';
import type { AccessReviewApi } from '../../app/review/review-ports';
import type { BindingSubjects } from '../../domain/review/subjects';
import { kubeLabel, managedBy } from '../../domain/rotation/rotation-ownership';
import { kubeApis } from './kube-api';

/** A Kubernetes call of the access review failed; the message names the call, never the token. */
export class AccessReviewApiError extends Error {
  override name = 'AccessReviewApiError';
}

const pageSize = 500;

/**
 * The access review's side of a cluster, through @kubernetes/client-node: SubjectAccessReviews,
 * the bindings that say which namespaces matter, and the external users' ServiceAccounts.
 */
export function accessReviewApi(endpoint: ClusterEndpoint): AccessReviewApi {
  // The functions' own clients: the CA always verified, one connection pool per cluster, and the
  // EKS token renewed while a long review runs (it lives 15 minutes).
  const { authorization, rbac, core } = kubeApis(endpoint);

  return {
    async allowed(subject, question) {
      const answer = await call(
        `asking whether ${subject.user} may ${question.verb} ${question.resource}`,
        () =>
          authorization.createSubjectAccessReview({
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SubjectAccessReview',
              spec: {
                user: subject.user,
                groups: subject.groups,
                resourceAttributes: {
                  verb: question.verb,
                  group: question.group,
                  resource: question.resource,
                  ...(question.subresource ? { subresource: question.subresource } : {}),
                  ...(question.namespace ? { namespace: question.namespace } : {}),
                },
              },
            },
          }),
      );
      return answer.status?.allowed === true && answer.status.denied !== true;
    },
    async roleBindings() {
      const items = await everyPage('listing RoleBindings', (_continue) =>
        rbac.listRoleBindingForAllNamespaces({ limit: pageSize, ...(_continue ? { _continue } : {}) }),
      );
      return items.map((b) => bindingSubjects(b.metadata?.namespace ?? '', b.subjects));
    },
    async clusterRoleBindings() {
      const items = await everyPage('listing ClusterRoleBindings', (_continue) =>
        rbac.listClusterRoleBinding({ limit: pageSize, ...(_continue ? { _continue } : {}) }),
      );
      return items.map((b) => bindingSubjects('', b.subjects));
    },
    async externalServiceAccounts() {
      const labelSelector = `${kubeLabel.managedBy}=${managedBy}`;
      const items = await everyPage('listing the ServiceAccounts of external users', (_continue) =>
        core.listServiceAccountForAllNamespaces({
          labelSelector,
          limit: pageSize,
          ...(_continue ? { _continue } : {}),
        }),
      );
      return items
        .map((sa) => ({
          namespace: sa.metadata?.namespace ?? '',
          name: sa.metadata?.name ?? '',
          user: sa.metadata?.labels?.[kubeLabel.user] ?? '',
        }))
        .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
    },
  };
}

function bindingSubjects(namespace: string, subjects: RbacV1Subject[] | undefined): BindingSubjects {
  return {
    namespace,
    subjects: (subjects ?? []).map((s) => ({
      kind: s.kind,
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
    })),
  };
}

async function everyPage<T>(
  what: string,
  page: (next: string | undefined) => Promise<{ items: T[]; metadata?: V1ListMeta }>,
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  do {
    const answer = await call(what, () => page(next));
    items.push(...answer.items);
    next = answer.metadata?._continue || undefined;
  } while (next);
  return items;
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    // An ApiException's message carries the response's headers and body; the code is what matters.
    const why =
      error instanceof ApiException
        ? `the apiserver answered ${error.code}${error.code === 401 ? ' (Unauthorized: the function cannot reach the cluster)' : error.code === 403 ? ' (Forbidden: the function needs create on subjectaccessreviews and list on rolebindings, clusterrolebindings and serviceaccounts)' : ''}`
        : `${(error as Error).name}: ${(error as Error).message}`;
    throw new AccessReviewApiError(`${what}: ${why}`, { cause: error });
  }
}
