import type { RolePower } from './role-power';

/**
 * What a grant of the config amounts to, judged by what it lets its holder do, not by the string it
 * names. Every grant the config can make (aws-auth usernames and groups, EKS access policies,
 * bootstrap RBAC, external users' bindings) is judged here and nowhere else.
 *
 * - `reserved`: never written, whatever the flags (identities and roles of Kubernetes and EKS).
 * - `systemMasters`: the `system:masters` group; needs `allowSystemMasters`.
 * - `clusterAdmin`: cluster-admin or anything that can become it; needs `allowClusterAdmin`.
 * - `protectedNamespace`: anything in kube-system, kube-public or kube-node-lease; needs `allowProtectedNamespaces`.
 */
export type Privilege = 'reserved' | 'systemMasters' | 'clusterAdmin' | 'protectedNamespace';

/** A reason a grant is privileged, in words a reviewer of access.yaml understands. */
export interface Finding {
  privilege: Privilege;
  why: string;
}

/** The config flag that allows each privilege; reserved ones have none. */
export const allowFlag = {
  systemMasters: 'allowSystemMasters',
  clusterAdmin: 'allowClusterAdmin',
  protectedNamespace: 'allowProtectedNamespaces',
} as const;
export type AllowFlag = (typeof allowFlag)[keyof typeof allowFlag];

/** The prefixes EKS refuses in access-entry usernames and groups; the ConfigMap mapper refuses none. */
export const reservedPrefixes = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'] as const;
export const protectedNamespaces = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

const systemMasters = 'system:masters';

/** A username or Kubernetes group an aws-auth entry or an access entry would carry. */
export function identityFindings(name: string, kind: 'username' | 'group'): Finding[] {
  if (kind === 'group' && name === systemMasters) {
    return [{ privilege: 'systemMasters', why: 'system:masters grants unrevocable cluster-admin' }];
  }
  const reserved = reservedPrefixOf(name);
  if (reserved) {
    return [
      {
        privilege: 'reserved',
        why: `${name} is reserved for Kubernetes components and EKS (prefix ${reserved}); map people and roles to your own ${kind}s`,
      },
    ];
  }
  const template = name.indexOf('{{');
  if (template >= 0 && !safeLiteralPrefix(name.slice(0, template))) {
    return [
      {
        privilege: 'reserved',
        why: `${name} needs a literal prefix of its own before the template (such as "team-a:${name.slice(template)}"): the session name is chosen by whoever assumes the role, and could name system:masters or a controller`,
      },
    ];
  }
  return [];
}

/** The reserved prefix a name starts with (compared as EKS does, case-insensitively). */
export function reservedPrefixOf(name: string): string | undefined {
  return reservedPrefixes.find((prefix) => name.toLowerCase().startsWith(prefix));
}

/** No text after it can make the whole a reserved name: not `s` (→ `system:…`), not empty. */
function safeLiteralPrefix(prefix: string): boolean {
  const lower = prefix.toLowerCase();
  return lower.length > 0 && !reservedPrefixes.some((r) => lower.startsWith(r) || r.startsWith(lower));
}

/** Where a binding grants a role: the whole cluster, or one namespace (or an EKS namespace pattern such as `kube-*`). */
export type Where = 'cluster' | { namespace: string };

/** A role bound somewhere: cluster-admin-equivalent, protected, both or neither. */
export function bindingFindings(role: string, power: RolePower, where: Where): Finding[] {
  if (power.reserved) return [{ privilege: 'reserved', why: power.reserved }];
  const findings: Finding[] = [];
  const protectedOne = where === 'cluster' ? undefined : protectedNamespaceMatching(where.namespace);
  const place = where === 'cluster' ? 'cluster-wide' : `in ${where.namespace}`;
  if (power.escalates) {
    findings.push({ privilege: 'clusterAdmin', why: `${role} is cluster-admin or can make itself so` });
  } else if (power.takesOverNamespace && (where === 'cluster' || protectedOne === 'kube-system')) {
    const can = power.unknown
      ? 'is not defined under bootstrap.rbac.clusterRoles, so nothing says it cannot'
      : 'can';
    findings.push({
      privilege: 'clusterAdmin',
      why: `${role} ${place} ${can} take over kube-system (rewrite aws-auth, run pods as its service accounts, read their secrets): that is cluster-admin`,
    });
  }
  if (protectedOne && where !== 'cluster') {
    const named =
      where.namespace === protectedOne ? protectedOne : `${where.namespace} covers ${protectedOne}, which`;
    findings.push({
      privilege: 'protectedNamespace',
      why: `${named} is a namespace of the cluster's own components`,
    });
  }
  return findings;
}

/** The protected namespace a name or EKS pattern (`kube-*`, `*`) covers, if any. */
export function protectedNamespaceMatching(namespace: string): string | undefined {
  const prefix = namespace.endsWith('*') ? namespace.slice(0, -1) : undefined;
  return protectedNamespaces.find((p) => (prefix === undefined ? p === namespace : p.startsWith(prefix)));
}

/** The EKS access policies for people, as the Kubernetes roles they stand for. */
const accessPolicyRoles: Record<string, RolePower> = {
  AmazonEKSClusterAdminPolicy: { escalates: true, takesOverNamespace: true },
  AmazonEKSAdminPolicy: { escalates: false, takesOverNamespace: true },
  AmazonEKSEditPolicy: { escalates: false, takesOverNamespace: true },
  // View plus every secret: in kube-system or cluster-wide that reads the controllers' tokens.
  AmazonEKSAdminViewPolicy: { escalates: false, takesOverNamespace: true },
  AmazonEKSViewPolicy: { escalates: false, takesOverNamespace: false },
};

/** An access policy association; a policy this tool does not know (EKS's own components' ones) counts as cluster-admin. */
export function accessPolicyFindings(policy: string, scope: 'cluster' | { namespaces: string[] }): Finding[] {
  const power = accessPolicyRoles[policy] ?? {
    escalates: true,
    takesOverNamespace: true,
  };
  const unknown = accessPolicyRoles[policy] === undefined;
  const wheres: Where[] =
    scope === 'cluster' ? ['cluster'] : scope.namespaces.map((namespace) => ({ namespace }));
  return wheres
    .flatMap((where) => bindingFindings(policy, power, where))
    .map((f) =>
      unknown && f.privilege === 'clusterAdmin'
        ? {
            ...f,
            why: `${policy} is not a policy for people this tool can judge; it is treated as cluster-admin`,
          }
        : f,
    );
}

/**
 * Why `bootstrap.functionRoleArn` may not be used: bootstrap grants that principal cluster-admin on
 * every cluster it sets up, tagged so that no sync removes it, so it must be the function's own role
 * (compared as the authenticator does: account and name, case-insensitively, path ignored).
 */
export function foreignFunctionRole(configured: string, own: string): string | undefined {
  const [a, b] = [configured, own].map((arn) =>
    /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn),
  );
  if (a && b && a[1] === b[1] && a[2]?.toLowerCase() === b[2]?.toLowerCase()) return undefined;
  return `bootstrap.functionRoleArn ${configured} is not this function's own role (${own}); bootstrap would give it cluster-admin on every cluster it sets up`;
}
