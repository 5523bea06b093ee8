import {
  type AccessEntry,
  type AccessScope,
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  DisassociateAccessPolicyCommand,
  EKSClient,
  InvalidParameterException,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeCluster {
  status: string;
  authenticationMode?: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';
  tags?: Record<string, string>;
  accountId?: string;
}

interface StoredEntry {
  entry: AccessEntry;
  policies: Map<string, AccessScope>;
}

const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });

/**
 * An in-memory EKS behind aws-sdk-client-mock: DescribeCluster (a status sequence per cluster) and
 * the access-entry API that moto lacks, paginated with a small page size so that every listing
 * needs several pages. `calls` records each write in order, for tests of what happens first.
 */
export function fakeEks(
  options: { pageSize?: number; clusters?: Record<string, FakeCluster | FakeCluster[]> } = {},
) {
  const mock = mockClient(EKSClient);
  const pageSize = options.pageSize ?? 2;
  const statuses = new Map(
    Object.entries(options.clusters ?? {}).map(([name, c]) => [name, Array.isArray(c) ? [...c] : [c]]),
  );
  const entries = new Map<string, Map<string, StoredEntry>>();
  const calls: string[] = [];
  const of = (cluster: string) => {
    const found = entries.get(cluster) ?? new Map<string, StoredEntry>();
    entries.set(cluster, found);
    return found;
  };
  const get = (cluster = '', arn = '') => {
    const stored = of(cluster).get(arn);
    if (!stored) throw notFound(`No access entry found for principal ${arn}`);
    return stored;
  };

  mock.on(DescribeClusterCommand).callsFake(({ name }) => {
    const sequence = statuses.get(name);
    if (!sequence) throw notFound(`No cluster found for name: ${name}.`);
    // Each look takes the next status; the last one stays.
    const c = (sequence.length > 1 ? sequence.shift() : sequence[0]) as FakeCluster;
    return {
      cluster: {
        name,
        arn: `arn:aws:eks:us-east-1:${c.accountId ?? '123456789012'}:cluster/${name}`,
        status: c.status,
        tags: c.tags ?? {},
        ...(c.status === 'ACTIVE'
          ? { endpoint: 'https://example.invalid', certificateAuthority: { data: 'Q0E=' } }
          : {}),
        ...(c.authenticationMode ? { accessConfig: { authenticationMode: c.authenticationMode } } : {}),
      },
    };
  });
  mock.on(ListAccessEntriesCommand).callsFake(({ clusterName, nextToken }) => {
    const all = [...of(clusterName).keys()].sort();
    const start = nextToken ? Number(nextToken) : 0;
    const page = all.slice(start, start + pageSize);
    return {
      accessEntries: page,
      ...(start + pageSize < all.length ? { nextToken: String(start + pageSize) } : {}),
    };
  });
  mock.on(DescribeAccessEntryCommand).callsFake(({ clusterName, principalArn }) => ({
    accessEntry: get(clusterName, principalArn).entry,
  }));
  mock.on(CreateAccessEntryCommand).callsFake((input) => {
    const cluster = of(input.clusterName);
    if (cluster.has(input.principalArn)) {
      throw new ResourceInUseException({
        message: 'The specified access entry resource is already in use',
        $metadata: {},
      });
    }
    if ((input.kubernetesGroups ?? []).some((g: string) => g.startsWith('system:'))) {
      throw new InvalidParameterException({
        message: 'kubernetesGroups cannot start with system:',
        $metadata: {},
      });
    }
    calls.push(`CreateAccessEntry ${input.principalArn}`);
    cluster.set(input.principalArn, {
      entry: {
        clusterName: input.clusterName,
        principalArn: input.principalArn,
        accessEntryArn: `arn:aws:eks:us-east-1:123456789012:access-entry/${input.clusterName}/${cluster.size}`,
        kubernetesGroups: input.kubernetesGroups ?? [],
        username: input.username ?? input.principalArn,
        type: input.type ?? 'STANDARD',
        tags: input.tags ?? {},
      },
      policies: new Map(),
    });
    return { accessEntry: cluster.get(input.principalArn)?.entry };
  });
  mock.on(UpdateAccessEntryCommand).callsFake((input) => {
    const stored = get(input.clusterName, input.principalArn);
    calls.push(`UpdateAccessEntry ${input.principalArn}`);
    stored.entry = { ...stored.entry, kubernetesGroups: input.kubernetesGroups, username: input.username };
    return { accessEntry: stored.entry };
  });
  mock.on(DeleteAccessEntryCommand).callsFake(({ clusterName, principalArn }) => {
    get(clusterName, principalArn);
    calls.push(`DeleteAccessEntry ${principalArn}`);
    of(clusterName).delete(principalArn);
    return {};
  });
  mock.on(TagResourceCommand).callsFake(({ resourceArn, tags }) => {
    for (const cluster of entries.values()) {
      for (const stored of cluster.values()) {
        if (stored.entry.accessEntryArn === resourceArn) {
          calls.push(`TagResource ${stored.entry.principalArn}`);
          stored.entry = { ...stored.entry, tags: { ...stored.entry.tags, ...tags } };
          return {};
        }
      }
    }
    throw notFound(`no resource ${resourceArn}`);
  });
  mock.on(ListAssociatedAccessPoliciesCommand).callsFake(({ clusterName, principalArn, nextToken }) => {
    const all = [...get(clusterName, principalArn).policies.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const start = nextToken ? Number(nextToken) : 0;
    return {
      associatedAccessPolicies: all
        .slice(start, start + pageSize)
        .map(([policyArn, accessScope]) => ({ policyArn, accessScope })),
      ...(start + pageSize < all.length ? { nextToken: String(start + pageSize) } : {}),
    };
  });
  mock.on(AssociateAccessPolicyCommand).callsFake(({ clusterName, principalArn, policyArn, accessScope }) => {
    calls.push(`AssociateAccessPolicy ${principalArn} ${policyArn.split('/').pop()}`);
    get(clusterName, principalArn).policies.set(policyArn, accessScope);
    return {};
  });
  mock.on(DisassociateAccessPolicyCommand).callsFake(({ clusterName, principalArn, policyArn }) => {
    calls.push(`DisassociateAccessPolicy ${principalArn} ${policyArn.split('/').pop()}`);
    if (!get(clusterName, principalArn).policies.delete(policyArn)) throw notFound('no such association');
    return {};
  });

  return {
    mock,
    calls,
    /** Puts an entry in place as if someone else (or an earlier run) had made it. */
    seed(
      cluster: string,
      entry: Partial<AccessEntry> & { principalArn: string },
      policies: Record<string, AccessScope> = {},
    ) {
      of(cluster).set(entry.principalArn, {
        entry: {
          clusterName: cluster,
          accessEntryArn: `arn:aws:eks:us-east-1:123456789012:access-entry/${cluster}/seed-${of(cluster).size}`,
          kubernetesGroups: [],
          username: entry.principalArn,
          type: 'STANDARD',
          tags: {},
          ...entry,
        },
        policies: new Map(
          Object.entries(policies).map(([name, scope]) => [
            `arn:aws:eks::aws:cluster-access-policy/${name}`,
            scope,
          ]),
        ),
      });
    },
    entries: (cluster: string) =>
      [...of(cluster).values()].map((s) => ({
        ...s.entry,
        policies: Object.fromEntries([...s.policies].map(([arn, scope]) => [arn.split('/').pop(), scope])),
      })),
    restore: () => mock.restore(),
  };
}

export type FakeEks = ReturnType<typeof fakeEks>;
