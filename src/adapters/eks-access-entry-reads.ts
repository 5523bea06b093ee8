import {
  type AccessScope,
  DescribeAccessEntryCommand,
  type EKSClient,
  type AccessEntry as EksAccessEntry,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import type { AccessEntryReads } from '../app/access-entries/eks-ports';
import { mapLimited } from '../app/map-limited';
import { type AccessEntry, type AssociatedPolicy, policyName } from '../domain/access-entries/access-entries';
import { arnKey } from '../domain/arn';
import { eksCall, isNotFound } from './eks-call';

/**
 * Every page read, each entry described (its tags say whether it is this tool's). `counted` is told
 * of each request, so the store that adds the writes counts them all.
 */
export function accessEntryReads(
  eks: Pick<EKSClient, 'send'>,
  clusterName: string,
  counted: () => void = () => {},
): AccessEntryReads {
  const of = `of cluster ${clusterName}`;
  function call<T, F = never>(
    what: string,
    send: () => Promise<T>,
    tolerate?: { when: (e: unknown) => boolean; orElse: F },
  ) {
    counted();
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
