import * as z from 'zod';
import { parsePrincipalArn } from '../arn';
import { accessPolicySchema, bootstrapSchema, clusterBackendSchema } from '../bootstrap/cluster-bootstrap';
import { InvalidArnError } from '../errors';
import { checkExternalUsers, externalUserSchema } from '../rotation/external-users';
import { parseDuration } from '../rotation/rotation-duration';
import { type PolicyReport, withPolicies } from './config-policy';
import { configRefusals, mappingRefusals } from './config-privileges';

const k8sGroup = z
  .string()
  .min(1)
  .regex(/^[^\s]+$/, 'a Kubernetes group has no spaces');
const iamName = z.string().regex(/^[\w+=,.@-]{1,128}$/, 'not a valid IAM name');
const clusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'not a valid EKS cluster name');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region such as us-east-1');
const iamRoleArn = z.string().superRefine((arn, ctx) => {
  try {
    parsePrincipalArn(arn, 'role');
  } catch (error) {
    if (!(error instanceof InvalidArnError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

export const clusterSchema = z.strictObject({
  name: clusterName,
  region,
  /** A role in the cluster's account to assume; absent: the function's own credentials. */
  roleArn: iamRoleArn.optional(),
  externalId: z.string().min(2).max(1224).optional(),
  backend: clusterBackendSchema.default('configMap'),
  /** The account it lives in; default: roleArn's account, else unknown (the function's own). */
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'not a 12-digit AWS account id')
    .optional(),
});

const clusterList = z.array(clusterName).min(1).optional();

/** The privilege policy on one mapping (privilege-policy.ts), judged where the mapping is parsed. */
function mappingPolicy(kind: 'groups' | 'roles') {
  return (
    mapping: Parameters<typeof mappingRefusals>[1],
    report: (path: (string | number)[], message: string) => void,
  ) => {
    // An access policy whose name the schema refused is reported once, by the schema.
    const accessPolicies = mapping.accessPolicies?.filter((p) => accessPolicySchema.safeParse(p).success);
    for (const refusal of mappingRefusals(kind, { ...mapping, accessPolicies }))
      report(refusal.path, refusal.message);
  };
}

/** The flags of privilege-policy.ts a mapping's access policies may need; absent means false. */
const grantFlags = {
  /** AmazonEKSClusterAdminPolicy, or Admin/Edit/AdminView cluster-wide or in kube-system, is meant. */
  allowClusterAdmin: z.boolean().optional(),
  /** Access policies scoped to kube-system, kube-public or kube-node-lease (or a pattern covering them) are meant. */
  allowProtectedNamespaces: z.boolean().optional(),
};

export const groupMappingSchema = withPolicies(
  z.strictObject({
    iamGroup: iamName,
    kubernetesGroups: z.array(k8sGroup).min(1),
    allowSystemMasters: z.boolean().default(false),
    ...grantFlags,
    clusters: clusterList,
    /** EKS access policies the mapped principals get where the cluster uses access entries. */
    accessPolicies: z.array(accessPolicySchema).optional(),
  }),
  mappingPolicy('groups'),
);

/** An IAM Identity Center permission set's name, as its console shows it. */
const permissionSetName = z
  .string()
  .regex(/^[\w+=,.@-]{1,32}$/, 'not a permission set name (1 to 32 of letters, digits and +=,.@_-)');

/** A role mapping names its role by ARN or, for IAM Identity Center, by permission set: one of the two. */
function oneRole(
  mapping: { roleArn?: string | undefined; permissionSet?: string | undefined },
  report: PolicyReport,
) {
  if ((mapping.roleArn === undefined) === (mapping.permissionSet === undefined)) {
    report(
      [mapping.roleArn === undefined ? 'roleArn' : 'permissionSet'],
      'give either roleArn or permissionSet (an IAM Identity Center permission set by name), not both or neither',
    );
  }
}

export const roleMappingSchema = withPolicies(
  z.strictObject({
    roleArn: iamRoleArn.optional(),
    /** An IAM Identity Center permission set: its role (`AWSReservedSSO_<set>_…`) is found in each cluster's account. */
    permissionSet: permissionSetName.optional(),
    username: z.string().min(1),
    kubernetesGroups: z.array(k8sGroup).default([]),
    allowSystemMasters: z.boolean().default(false),
    ...grantFlags,
    clusters: clusterList,
    /** EKS access policies the mapped principals get where the cluster uses access entries. */
    accessPolicies: z.array(accessPolicySchema).optional(),
  }),
  mappingPolicy('roles'),
  oneRole,
);

export const settingsSchema = z.strictObject({
  /** Take over an existing hand-written entry for an ARN the config maps, instead of leaving it and reporting it. */
  adoptUnownedEntries: z.boolean().default(false),
  /** Refuse a plan that removes more than this share of the entries the tool owns (when more than two). */
  maxRemovalShare: z.number().min(0).max(1).default(0.5),
  /**
   * An entry the tool wrote that someone changed since: `report` leaves it and says so on every run,
   * `restore` puts back what the config wants, `release` lets theirs win and stops managing it.
   */
  onDrift: z.enum(['report', 'restore', 'release']).default('report'),
  /** The mass-removal guard adds up the removals of the runs within this long (`24h`, `90m`). */
  removalWindow: z
    .string()
    .refine((text) => (parseDuration(text) ?? 0) > 0, 'a duration such as 24h, 90m or 1h30m')
    .default('24h'),
});

export const accessConfigSchema = z
  .strictObject({
    settings: settingsSchema.default({
      adoptUnownedEntries: false,
      maxRemovalShare: 0.5,
      onDrift: 'report',
      removalWindow: '24h',
    }),
    /** May be empty (or left out) when bootstrap selectors find the clusters. */
    clusters: z.array(clusterSchema).default([]),
    groups: z.array(groupMappingSchema).default([]),
    roles: z.array(roleMappingSchema).default([]),
    externalUsers: z.array(externalUserSchema).default([]),
    bootstrap: bootstrapSchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.clusters.length === 0 && (config.bootstrap?.selectors ?? []).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: 'no cluster to manage: list clusters here, or give bootstrap.selectors that find them',
      });
    }
    const names = new Set<string>();
    config.clusters.forEach((cluster, i) => {
      if (names.has(cluster.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'name'],
          message: `cluster ${cluster.name} is listed twice`,
        });
      }
      names.add(cluster.name);
    });
    const checkMapping = (
      kind: 'groups' | 'roles',
      i: number,
      mapping: { clusters?: string[] | undefined },
    ) => {
      mapping.clusters?.forEach((name, j) => {
        if (!names.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [kind, i, 'clusters', j],
            message: `no cluster named ${name} in clusters`,
          });
        }
      });
    };
    const seenGroups = new Set<string>();
    config.groups.forEach((group, i) => {
      const key = group.iamGroup.toLowerCase();
      if (seenGroups.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'iamGroup'],
          message: `${group.iamGroup} is mapped twice`,
        });
      }
      seenGroups.add(key);
      checkMapping('groups', i, group);
    });
    const seenRoles = new Set<string>();
    config.roles.forEach((role, i) => {
      checkMapping('roles', i, role);
      if (role.permissionSet !== undefined) {
        const key = `permissionSet:${role.permissionSet.toLowerCase()}`;
        if (seenRoles.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['roles', i, 'permissionSet'],
            message: `permission set ${role.permissionSet} is mapped twice`,
          });
        }
        seenRoles.add(key);
        return;
      }
      let arn: ReturnType<typeof parsePrincipalArn>;
      try {
        arn = parsePrincipalArn(role.roleArn ?? '', 'role');
      } catch {
        return; // already reported by the field's own check
      }
      const key = `${arn.accountId}:${arn.name.toLowerCase()}`;
      if (seenRoles.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['roles', i, 'roleArn'],
          message: `role ${arn.name} is mapped twice`,
        });
      }
      seenRoles.add(key);
    });
    config.clusters.forEach((cluster, i) => {
      if (!cluster.accountId || !cluster.roleArn) return;
      const account = accountOfRole(cluster.roleArn);
      if (account && account !== cluster.accountId) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'accountId'],
          message: `account ${cluster.accountId} is not the account of roleArn (${account})`,
        });
      }
    });
    checkExternalUsers(
      config.externalUsers,
      config.clusters,
      (config.bootstrap?.selectors ?? []).length > 0,
      ctx,
    );
    for (const refusal of configRefusals(config)) ctx.addIssue({ code: 'custom', ...refusal });
  });

function accountOfRole(roleArn: string): string | undefined {
  try {
    return parsePrincipalArn(roleArn, 'role').accountId;
  } catch {
    return undefined; // reported by the field's own check
  }
}

export type AccessConfig = z.infer<typeof accessConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema> & {
  /** Set on a cluster a bootstrap selector found: not listed, so its name alone does not identify it. */
  foundBy?: string;
};
export type GroupMapping = z.infer<typeof groupMappingSchema>;
export type RoleMapping = z.infer<typeof roleMappingSchema>;

/** Whether a mapping applies to a cluster: a mapping without `clusters` applies to every one. */
export function appliesTo(mapping: { clusters?: string[] | undefined }, cluster: string): boolean {
  return mapping.clusters === undefined || mapping.clusters.includes(cluster);
}
