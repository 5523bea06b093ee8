import {
  type AccessScope,
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  type EKSClient,
  TagResourceCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import type { AccessEntryStore } from '../app/access-entries/eks-ports';
import { accessPolicyArn } from '../domain/access-entries/access-entries';
import { accessEntryReads } from './eks-access-entry-reads';
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

  const reads = accessEntryReads(eks, clusterName);

  return {
    ...reads,
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
