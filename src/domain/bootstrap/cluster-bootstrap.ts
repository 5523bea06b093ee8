import * as z from 'zod';
import { parsePrincipalArn } from '../arn';
import { InvalidArnError } from '../errors';
import { parseDuration } from '../rotation/rotation-duration';

/**
 * The `bootstrap` section of access.yaml: which new clusters are managed besides those listed, the
 * RBAC objects every managed cluster gets, and how long a cluster may take to become ACTIVE.
 * Also the access-policy and backend schemas the mappings and clusters use.
 */

/** aws-auth, EKS access entries, whichever the cluster's authentication mode allows, or the move between them. */
export const clusterBackendSchema = z.enum(['configMap', 'accessEntries', 'auto', 'migrate']);
export type ClusterBackend = z.infer<typeof clusterBackendSchema>;

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region such as us-east-1');
const accountId = z.string().regex(/^\d{12}$/, 'not a 12-digit AWS account id');
const dns1123Label = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a DNS-1123 label (lower-case letters, digits and -)');
// RBAC object names are path segments: anything but '/', '%', '.' and '..'.
const rbacName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/%\s]+$/, 'not a valid RBAC name (no spaces, / or %)')
  .refine((name) => name !== '.' && name !== '..', 'not a valid RBAC name');
const duration = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `${text} is not a duration such as 5m, 45m or 1h` });
    return z.NEVER;
  }
  return seconds;
});

/** An EKS access policy by name (`AmazonEKSClusterAdminPolicy`, `AmazonEKSViewPolicy`, …), with its scope. */
export const accessPolicySchema = z.strictObject({
  policy: z
    .string()
    .regex(/^AmazonEKS[A-Za-z0-9]+Policy$/, 'not an EKS access policy name such as AmazonEKSViewPolicy'),
  scope: z
    .union([
      z.literal('cluster'),
      z.strictObject({
        // EKS accepts a trailing * as a namespace wildcard.
        namespaces: z
          .array(
            z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$|^[a-z0-9][-a-z0-9]*\*$|^\*$/, 'not a namespace name'),
          )
          .min(1),
      }),
    ])
    .default('cluster'),
});
export type AccessPolicyConfig = z.infer<typeof accessPolicySchema>;

const glob = z.string().min(1).max(100);
/** An IAM role ARN; `{account}` stands for the account of the cluster at hand. */
const roleArn = z.string().superRefine((arn, ctx) => {
  // Anywhere else, {account} would make the generated IAM policy name roles by wildcard.
  if (arn.replace(/^(arn:[\w-]+:iam::)\{account\}:/, '$1000000000000:').includes('{')) {
    ctx.addIssue({
      code: 'custom',
      message: '{account} may only stand for the account id (arn:aws:iam::{account}:role/name)',
    });
    return;
  }
  try {
    parsePrincipalArn(arn.replaceAll('{account}', '000000000000'), 'role');
  } catch (error) {
    if (!(error instanceof InvalidArnError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

/** Which clusters, besides the listed ones, are managed once created. Every given criterion must match. */
export const clusterSelectorSchema = z
  .strictObject({
    /** `*` any run of characters, `?` one: `team-*`, `*-prod`. */
    namePattern: glob.optional(),
    /** Tags the cluster was created with; the value `*` means any value. */
    tags: z.record(z.string().min(1), z.string()).optional(),
    /** Default: any account whose CloudTrail events reach the function. */
    accounts: z.array(accountId).min(1).optional(),
    /** Default: any region. */
    regions: z.array(region).min(1).optional(),
    backend: clusterBackendSchema.default('auto'),
    /** Assumed to reach a cluster in another account; `{account}` is replaced by the cluster's account. */
    roleArn: roleArn.optional(),
    externalId: z.string().min(2).max(1224).optional(),
  })
  .refine((s) => s.namePattern !== undefined || (s.tags && Object.keys(s.tags).length > 0), {
    message:
      'a selector needs a namePattern or tags; one matching every cluster is too easy to write by mistake',
  })
  .refine((s) => !s.roleArn?.includes('{account}') || s.accounts !== undefined, {
    path: ['roleArn'],
    message:
      "{account} needs the selector's accounts: the IAM policy names the role in each of them, never in any account",
  });
export type ClusterSelector = z.infer<typeof clusterSelectorSchema>;

const policyRuleSchema = z.strictObject({
  apiGroups: z.array(z.string()).default(['']),
  resources: z.array(z.string().min(1)).min(1),
  resourceNames: z.array(z.string().min(1)).optional(),
  verbs: z.array(z.string().min(1)).min(1),
});
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export const clusterRoleSchema = z.strictObject({
  name: rbacName,
  rules: z.array(policyRuleSchema).min(1),
  /** Rules that lead to cluster-admin (`*`, escalate, bind, impersonate, serviceaccounts/token, …) are meant. */
  allowClusterAdmin: z.boolean().optional(),
});
export type ClusterRoleConfig = z.infer<typeof clusterRoleSchema>;

/** A Kubernetes group bound to a ClusterRole: cluster-wide, or by a RoleBinding in each namespace given. */
export const rbacBindingSchema = z.strictObject({
  group: rbacName,
  clusterRole: rbacName,
  namespaces: z.array(dns1123Label).min(1).optional(),
  /** Binding a role that is, or can become, cluster-admin where it is bound is meant. */
  allowClusterAdmin: z.boolean().optional(),
  /** RoleBindings in kube-system, kube-public or kube-node-lease are meant. */
  allowProtectedNamespaces: z.boolean().optional(),
});
export type RbacBindingConfig = z.infer<typeof rbacBindingSchema>;

export const bootstrapSchema = z
  .strictObject({
    selectors: z.array(clusterSelectorSchema).default([]),
    rbac: z
      .strictObject({
        clusterRoles: z.array(clusterRoleSchema).default([]),
        bindings: z.array(rbacBindingSchema).default([]),
      })
      .default({ clusterRoles: [], bindings: [] }),
    /** The principal this function reaches clusters as; default: FUNCTION_ROLE_ARN or the caller's role. */
    functionRoleArn: roleArn.optional(),
    /** How long to wait between looks at a cluster that is not ACTIVE yet (SQS allows up to 15m). */
    recheckEvery: duration.default(300),
    /** After this long since the cluster was created, what is still not done goes to the dead-letter queue. */
    giveUpAfter: duration.default(2_700),
    /** Days the secrets of a deleted cluster stay recoverable (Secrets Manager allows 7 to 30). */
    secretRecoveryDays: z.number().int().min(7).max(30).default(30),
  })
  .superRefine((bootstrap, ctx) => {
    if (bootstrap.recheckEvery < 60 || bootstrap.recheckEvery > 900) {
      ctx.addIssue({
        code: 'custom',
        path: ['recheckEvery'],
        message: 'between 1m and 15m: an SQS message can be delayed by at most 15 minutes',
      });
    }
    if (bootstrap.giveUpAfter < bootstrap.recheckEvery) {
      ctx.addIssue({ code: 'custom', path: ['giveUpAfter'], message: 'shorter than recheckEvery' });
    }
  });
export type BootstrapConfig = z.infer<typeof bootstrapSchema>;

export const defaultBootstrap: BootstrapConfig = bootstrapSchema.parse({});
