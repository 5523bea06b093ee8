import {
  type AccessScope,
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  type EKSClient,
  type AccessEntry as EksAccessEntry,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  TagResourceCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import type { AccessEntryStore } from '../app/access-entries/eks-ports';
import { mapLimited } from '../app/map-limited';
import {
  type AccessEntry,
  type AssociatedPolicy,
  accessPolicyArn,
  policyName,
} from '../domain/access-entries/access-entries';
import { arnKey } from '../domain/arn';
import { EksCallError, eksCall, isInUse, isNotFound } from './eks-call';

/**
 * One cluster's access entries over the EKS API: every page read, each entry described (its tags
 * say whether it is this tool's). Throttling is retried by the SDK; what still fails is an
 * EksCallError that names the call, the principal and the cluster.
 */
export function accessEntryStore(
  eks: Pick<EKSClient, 'send'>,
  clusterName: string,
  partition: string,
): AccessEntryStore {
  const of = `of cluster ${clusterName}`;
  function call<T, F = never>(
    what: string,
    send: () => Promise<T>,
    tolerate?: { when: (e: unknown) => boolean; orElse: F },
  ) {
    return eksCall(`${what} ${of}`, send, tolerate);
  }

  async function get(principalArn: string): Promise<AccessEntry | undefined> {
    const answer = await call(
      `describing the access entry of ${principalArn}`,
      () => eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn })),
      { when: isNotFound, orElse: undefined },
    );
    return answer?.accessEntry ? accessEntry(answer.accessEntry) : undefined;
  }

  return {
    get,
    async list() {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call('listing access entries', () =>
          eks.send(new ListAccessEntriesCommand({ clusterName, maxResults: 100, nextToken })),
        );
        arns.push(...(page.accessEntries ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      // An entry deleted between the list and its description is simply gone.
      const described = await mapLimited(arns, 4, get);
      return described.filter((e): e is AccessEntry => e !== undefined);
    },
    async policies(principalArn) {
      const policies: AssociatedPolicy[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call(`listing the access policies of ${principalArn}`, () =>
          eks.send(
            new ListAssociatedAccessPoliciesCommand({
              clusterName,
              principalArn,
              maxResults: 100,
              nextToken,
            }),
          ),
        );
        for (const p of page.associatedAccessPolicies ?? []) {
          if (p.policyArn) policies.push({ policy: policyName(p.policyArn), scope: scopeOf(p.accessScope) });
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return policies.sort((a, b) => (a.policy < b.policy ? -1 : 1));
    },
    async create(principalArn, grant, tags) {
      const created = await call(
        `creating the access entry of ${principalArn}`,
        () =>
          eks.send(
            new CreateAccessEntryCommand({
              clusterName,
              principalArn,
              type: 'STANDARD',
              kubernetesGroups: grant.groups,
              ...(grant.username ? { username: grant.username } : {}),
              tags,
            }),
          ),
        { when: isInUse, orElse: 'exists' as const },
      );
      return created === 'exists' ? 'exists' : 'created';
    },
    async update(principalArn, grant) {
      await call(`updating the access entry of ${principalArn}`, () =>
        eks.send(
          new UpdateAccessEntryCommand({
            clusterName,
            principalArn,
            kubernetesGroups: grant.groups,
            username: grant.username,
          }),
        ),
      );
    },
    async tag(principalArn, tags) {
      const entry = await call(`describing the access entry of ${principalArn}`, () =>
        eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn })),
      );
      const resourceArn = entry.accessEntry?.accessEntryArn;
      if (!resourceArn)
        throw new EksCallError(`tagging the access entry of ${principalArn} ${of}: it has no ARN`);
      await call(`tagging the access entry of ${principalArn}`, () =>
        eks.send(new TagResourceCommand({ resourceArn, tags })),
      );
    },
    async associate(principalArn, policy) {
      const accessScope: AccessScope =
        policy.scope === 'cluster'
          ? { type: 'cluster' }
          : { type: 'namespace', namespaces: policy.scope.namespaces };
      await call(`associating ${policy.policy} with ${principalArn}`, () =>
        eks.send(
          new AssociateAccessPolicyCommand({
            clusterName,
            principalArn,
            policyArn: accessPolicyArn(policy.policy, partition),
            accessScope,
          }),
        ),
      );
    },
    async disassociate(principalArn, policy) {
      await call(
        `disassociating ${policy} from ${principalArn}`,
        () =>
          eks.send(
            new DisassociateAccessPolicyCommand({
              clusterName,
              principalArn,
              policyArn: accessPolicyArn(policy, partition),
            }),
          ),
        { when: isNotFound, orElse: undefined },
      );
    },
    async delete(principalArn) {
      const deleted = await call(
        `deleting the access entry of ${principalArn}`,
        () => eks.send(new DeleteAccessEntryCommand({ clusterName, principalArn })),
        { when: isNotFound, orElse: 'gone' as const },
      );
      return deleted !== 'gone';
    },
  };
}

function accessEntry(entry: EksAccessEntry): AccessEntry {
  const principalArn = entry.principalArn ?? '';
  return {
    principalArn,
    key: arnKey(principalArn),
    type: entry.type ?? 'STANDARD',
    username: entry.username ?? '',
    groups: [...(entry.kubernetesGroups ?? [])].sort(),
    tags: { ...(entry.tags ?? {}) },
  };
}

/** EKS's scope as the domain's: `cluster`, or the sorted namespaces. */
export function scopeOf(scope: AccessScope | undefined): AssociatedPolicy['scope'] {
  if (scope?.type === 'namespace') return { namespaces: [...(scope.namespaces ?? [])].sort() };
  return 'cluster';
}
