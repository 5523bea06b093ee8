import type { PolicyRule } from '../bootstrap/cluster-bootstrap';
import { reservedPrefixOf } from './privilege-policy';

/**
 * What a ClusterRole amounts to for the privilege policy: the roles Kubernetes ships by name
 * (aggregated ones by what they always hold), the configured ones by their rules.
 */

/** What a ClusterRole lets its holder do, as far as privilege goes. */
export interface RolePower {
  /** Becomes cluster-admin wherever it is bound (wildcards, escalate, bind, impersonate, tokens…). */
  escalates: boolean;
  /** Takes over a namespace's workloads, configuration or secrets: in kube-system, that is cluster-admin. */
  takesOverNamespace: boolean;
  /** A role of Kubernetes' own that no config should bind, with why. */
  reserved?: string;
  /** Neither shipped by Kubernetes nor defined in the config: judged as able to take a namespace over. */
  unknown?: boolean;
}

const readVerbs = new Set(['get', 'list', 'watch']);
const escalatingVerbs = new Set(['escalate', 'bind', 'impersonate', 'approve']);
/** Sub-resources and kinds whose write is a path to cluster-admin from any namespace. */
const escalatingResources = new Set([
  'serviceaccounts/token',
  'nodes/proxy',
  'certificatesigningrequests/approval',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
]);
/** Written in kube-system, these run code as, or rewrite, the control plane's own identities (aws-auth too). */
const takeoverResources = new Set([
  'pods',
  'pods/exec',
  'pods/attach',
  'pods/ephemeralcontainers',
  'deployments',
  'daemonsets',
  'statefulsets',
  'replicasets',
  'replicationcontrollers',
  'jobs',
  'cronjobs',
  'configmaps',
  'secrets',
  'serviceaccounts',
]);

/** Judges a ClusterRole's rules: the configured ones are judged by what they grant. */
export function rulesPower(rules: readonly PolicyRule[]): RolePower & { because: string[] } {
  const because: string[] = [];
  let takesOverNamespace = false;
  for (const rule of rules) {
    const verbs = rule.verbs.map((v) => v.toLowerCase());
    const writes = verbs.some((v) => !readVerbs.has(v));
    // `pods/*` or `*/scale` grant sub-resources that do not exist yet as much as `*` does.
    if ([...rule.apiGroups, ...rule.resources, ...verbs].some((v) => v.includes('*')))
      because.push('a "*" rule');
    for (const verb of verbs) if (escalatingVerbs.has(verb)) because.push(`the ${verb} verb`);
    for (const resource of rule.resources) {
      if (escalatingResources.has(resource) && writes) because.push(`writing ${resource}`);
      if (takeoverResources.has(resource) && writes) takesOverNamespace = true;
      // Reading secrets reads the service-account tokens and keys stored in them.
      if (resource === 'secrets') takesOverNamespace = true;
    }
  }
  return {
    escalates: because.length > 0,
    takesOverNamespace: takesOverNamespace || because.length > 0,
    because: [...new Set(because)],
  };
}

/**
 * Roles Kubernetes ships, judged by name. `admin` and `edit` are aggregated: whatever CRDs add to
 * them, they already write workloads, secrets and config maps. The `system:aggregate-to-*` roles are
 * their parts; every other `system:` role belongs to a Kubernetes component.
 */
export function builtInRolePower(name: string): RolePower | undefined {
  switch (name) {
    case 'cluster-admin':
      return { escalates: true, takesOverNamespace: true };
    case 'admin':
    case 'edit':
    case 'system:aggregate-to-admin':
    case 'system:aggregate-to-edit':
      return { escalates: false, takesOverNamespace: true };
    case 'view':
    case 'system:aggregate-to-view':
      return { escalates: false, takesOverNamespace: false };
    default:
      if (reservedPrefixOf(name) === undefined) return undefined;
      return {
        escalates: true,
        takesOverNamespace: true,
        reserved: `${name} is a role of a Kubernetes or EKS component (several can escalate or read every secret); define a ClusterRole of your own`,
      };
  }
}
