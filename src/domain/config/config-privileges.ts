import type { AccessPolicyConfig, ClusterRoleConfig } from '../bootstrap/cluster-bootstrap';
import {
  type AllowFlag,
  accessPolicyFindings,
  allowFlag,
  bindingFindings,
  type Finding,
  identityFindings,
  protectedNamespaceMatching,
  reservedPrefixes,
  type Where,
} from './privilege-policy';
import { builtInRolePower, type RolePower, rulesPower } from './role-power';

/** The parts of access.yaml that grant something; the flags are read where each grant is written. */
interface GrantingConfig {
  groups: readonly Mapping[];
  roles: readonly (Mapping & { username: string })[];
  externalUsers: readonly (Flags & { clusterRole: string; namespace: string; clusterWide: boolean })[];
  bootstrap?:
    | {
        rbac: {
          clusterRoles: readonly (ClusterRoleConfig & Flags)[];
          bindings: readonly (Flags & {
            group: string;
            clusterRole: string;
            namespaces?: string[] | undefined;
          })[];
        };
      }
    | undefined;
}
type Flags = { [flag in AllowFlag]?: boolean | undefined };
type Mapping = Flags & {
  kubernetesGroups: readonly string[];
  accessPolicies?: AccessPolicyConfig[] | undefined;
};
type Path = (string | number)[];

/** One privileged grant of the config: where it is written, why it is privileged, whether its flag is set. */
export interface PrivilegedGrant {
  path: Path;
  finding: Finding;
  allowed: boolean;
}

/** Every grant of the config the privilege policy calls privileged, allowed or not. */
export function privilegedGrants(config: GrantingConfig): PrivilegedGrant[] {
  const grants: PrivilegedGrant[] = [];
  const add = (path: Path, flags: Flags, findings: Finding[]) => {
    for (const finding of findings) {
      const flag = finding.privilege === 'reserved' ? undefined : allowFlag[finding.privilege];
      grants.push({ path, finding, allowed: flag !== undefined && flags[flag] === true });
    }
  };
  const mapping = (kind: 'groups' | 'roles', i: number, m: Mapping) => {
    m.kubernetesGroups.forEach((group, j) => {
      add([kind, i, 'kubernetesGroups', j], m, identityFindings(group, 'group'));
    });
    m.accessPolicies?.forEach((p, j) => {
      add([kind, i, 'accessPolicies', j], m, accessPolicyFindings(p.policy, p.scope));
    });
  };
  config.groups.forEach((m, i) => {
    mapping('groups', i, m);
  });
  config.roles.forEach((m, i) => {
    add(['roles', i, 'username'], m, identityFindings(m.username, 'username'));
    mapping('roles', i, m);
  });
  const configuredRoles = config.bootstrap?.rbac.clusterRoles ?? [];
  const powerOf = (role: string) => rolePower(role, configuredRoles);
  config.externalUsers.forEach((user, i) => {
    const where: Where = user.clusterWide ? 'cluster' : { namespace: user.namespace };
    add(
      ['externalUsers', i, 'clusterRole'],
      user,
      bindingFindings(user.clusterRole, powerOf(user.clusterRole), where),
    );
    // Bound cluster-wide, its ServiceAccount still lives in (and is created in) its namespace.
    const protectedOne = protectedNamespaceMatching(user.namespace);
    if (user.clusterWide && protectedOne) {
      add(['externalUsers', i, 'namespace'], user, [
        {
          privilege: 'protectedNamespace',
          why: `${protectedOne} is a namespace of the cluster's own components`,
        },
      ]);
    }
  });
  configuredRoles.forEach((role, i) => {
    const replaces = builtInRolePower(role.name);
    if (replaces) {
      add(['bootstrap', 'rbac', 'clusterRoles', i, 'name'], role, [
        {
          privilege: 'reserved',
          why: `${role.name} is a role Kubernetes ships; a ClusterRole of that name would replace it`,
        },
      ]);
    }
    const power = rulesPower(role.rules);
    if (power.escalates) {
      add(['bootstrap', 'rbac', 'clusterRoles', i, 'rules'], role, [
        {
          privilege: 'clusterAdmin',
          why: `${role.name} grants ${power.because.join(', ')}: a way to cluster-admin`,
        },
      ]);
    }
  });
  config.bootstrap?.rbac.bindings.forEach((binding, i) => {
    const path: Path = ['bootstrap', 'rbac', 'bindings', i];
    const reserved = reservedPrefixes.find((p) => binding.group.toLowerCase().startsWith(p));
    if (reserved) {
      add([...path, 'group'], binding, [
        {
          privilege: 'reserved',
          why: `${binding.group} is a group Kubernetes or EKS fills (system:authenticated is everyone with a token, system:unauthenticated everyone); bind your own groups`,
        },
      ]);
    }
    const power = powerOf(binding.clusterRole);
    if (!binding.namespaces) {
      add([...path, 'clusterRole'], binding, bindingFindings(binding.clusterRole, power, 'cluster'));
    }
    binding.namespaces?.forEach((namespace, j) => {
      add([...path, 'namespaces', j], binding, bindingFindings(binding.clusterRole, power, { namespace }));
    });
  });
  return grants;
}

/**
 * A role's power: Kubernetes' own by name, the configured ones by their rules, and one that is
 * neither (it exists only on the cluster) as able to take a namespace over, since nothing says less.
 */
function rolePower(name: string, configured: readonly ClusterRoleConfig[]): RolePower {
  const role = configured.find((r) => r.name === name);
  return (
    builtInRolePower(name) ??
    (role ? rulesPower(role.rules) : { escalates: false, takesOverNamespace: true, unknown: true })
  );
}

/** The privileged grants without their flag, as config problems: path and why. */
export function privilegeRefusals(config: GrantingConfig): { path: Path; message: string }[] {
  return refusalsOf(privilegedGrants(config));
}

/**
 * The refusals of one group or role mapping, for config-policy.ts's withPolicies: they are judged on the
 * mapping's own schema, so they are reported together with schema problems anywhere else in the file.
 */
export function mappingRefusals(
  kind: 'groups' | 'roles',
  mapping: Mapping & { username?: string },
): { path: Path; message: string }[] {
  const config: GrantingConfig =
    kind === 'groups'
      ? { groups: [mapping], roles: [], externalUsers: [] }
      : { groups: [], roles: [{ ...mapping, username: mapping.username ?? '' }], externalUsers: [] };
  // Paths relative to the mapping: drop the leading [kind, 0].
  return refusalsOf(privilegedGrants(config)).map((r) => ({ ...r, path: r.path.slice(2) }));
}

/** The grants of the rest of the config: external users and bootstrap RBAC (mappings judge themselves). */
export function configRefusals(config: GrantingConfig): { path: Path; message: string }[] {
  return privilegeRefusals({ ...config, groups: [], roles: [] });
}

function refusalsOf(grants: PrivilegedGrant[]): { path: Path; message: string }[] {
  return grants
    .filter((grant) => !grant.allowed)
    .map(({ path, finding }) => ({
      path,
      message:
        finding.privilege === 'reserved'
          ? `${finding.why}; refused whatever the flags`
          : `${finding.why}; set ${allowFlag[finding.privilege]}: true to mean it`,
    }));
}
