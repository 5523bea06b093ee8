import * as z from 'zod';
import { formatDuration, parseDuration } from './rotation-duration';
import { type SecretCluster, secretNameFor, UnknownAccountError } from './secret-name';
import { readersSchema } from './secret-readers';

export { legacySecretNameFor, type SecretCluster, secretNameFor, UnknownAccountError } from './secret-name';

/** TokenRequest refuses anything shorter than ten minutes. */
const minimumTokenLifetime = 600;

/** Where a user's kubeconfig lives unless the config names another secret. */
export const defaultSecretName = 'eks-access-sync/{cluster}/{name}';

const dns1123Label = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a DNS-1123 label (lower-case letters, digits and -)');
const clusterRoleName = z
  .string()
  .min(1)
  .regex(/^[^/%\s]+$/, 'not a valid ClusterRole name')
  .refine((name) => name !== '.' && name !== '..', 'not a valid ClusterRole name');
const duration = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `${text} is not a duration such as 24h, 90m or 1h30m` });
    return z.NEVER;
  }
  return seconds;
});
const secretName = z
  .string()
  .regex(
    /^[\w/+=.@{}-]{1,512}$/,
    'not a Secrets Manager name (letters, digits, /_+=.@- and the {cluster}, {region}, {account} and {name} placeholders)',
  )
  .refine(
    (name) =>
      [...name.matchAll(/\{([^}]*)\}/g)].every(([, p]) =>
        ['cluster', 'region', 'account', 'name'].includes(p ?? ''),
      ),
    'the only placeholders are {cluster}, {region}, {account} and {name}',
  );

export const externalUserSchema = z
  .strictObject({
    /** The ServiceAccount's name, and who the kubeconfig is for. */
    name: dns1123Label,
    /** Default: every cluster in the config. */
    clusters: z.array(z.string().min(1)).min(1).optional(),
    /** Created when missing; never deleted (other things may live there). */
    namespace: dns1123Label.default('external-access'),
    clusterRole: clusterRoleName,
    /** true: a ClusterRoleBinding; false: a RoleBinding in `namespace`. */
    clusterWide: z.boolean().default(false),
    /** A role that is, or can become, cluster-admin where it is bound (privilege-policy.ts) is meant. */
    allowClusterAdmin: z.boolean().default(false),
    /** A namespace of the cluster's own components (kube-system, kube-public, kube-node-lease) is meant. */
    allowProtectedNamespaces: z.boolean().optional(),
    /** Seconds asked of TokenRequest; the cluster may grant less (EKS caps at 24h). */
    tokenLifetime: duration.default(86_400),
    /** Seconds: rotate when less than this is left of the current token. */
    rotateBefore: duration.default(28_800),
    secretName: secretName.default(defaultSecretName),
    /** Roles of other accounts that may read this user's secrets (its resource policy), and nothing else. */
    readers: readersSchema,
  })
  .superRefine((user, ctx) => {
    if (user.tokenLifetime < minimumTokenLifetime) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenLifetime'],
        message: `${formatDuration(user.tokenLifetime)} is shorter than the 10m TokenRequest allows`,
      });
    }
    if (user.rotateBefore <= 0 || user.rotateBefore >= user.tokenLifetime) {
      ctx.addIssue({
        code: 'custom',
        path: ['rotateBefore'],
        message: `rotateBefore (${formatDuration(user.rotateBefore)}) must be more than 0 and less than tokenLifetime (${formatDuration(user.tokenLifetime)})`,
      });
    }
  });

export type ExternalUser = z.infer<typeof externalUserSchema>;

/** The clusters a user gets a kubeconfig for, in config order. */
export function clustersOf(user: Pick<ExternalUser, 'clusters'>, clusterNames: readonly string[]): string[] {
  return clusterNames.filter((name) => user.clusters === undefined || user.clusters.includes(name));
}

interface IssueSink {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void;
}

/**
 * The checks that need the whole config: clusters that exist, one entry per user, one secret per
 * user and cluster, an account for every {account}, and room for the clusters selectors find.
 * Called from the config's own refinement.
 */
export function checkExternalUsers(
  users: ExternalUser[],
  clusters: readonly SecretCluster[],
  hasSelectors: boolean,
  ctx: IssueSink,
): void {
  const clusterNames = clusters.map((c) => c.name);
  const names = new Set<string>();
  const secrets = new Map<string, string>();
  users.forEach((user, i) => {
    if (names.has(user.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalUsers', i, 'name'],
        message: `${user.name} is listed twice`,
      });
    }
    names.add(user.name);
    user.clusters?.forEach((name, j) => {
      if (!clusterNames.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['externalUsers', i, 'clusters', j],
          message: `no cluster named ${name} in clusters`,
        });
      }
    });
    if (hasSelectors && user.clusters === undefined && !user.secretName.includes('{cluster}')) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalUsers', i, 'secretName'],
        message: `${user.secretName} has no {cluster}: every cluster a bootstrap selector finds would share it`,
      });
    }
    for (const name of clustersOf(user, clusterNames)) {
      const cluster = clusters.find((c) => c.name === name);
      if (!cluster) continue;
      let secret: string;
      try {
        secret = secretNameFor(user, cluster);
      } catch (error) {
        if (!(error instanceof UnknownAccountError)) throw error;
        ctx.addIssue({ code: 'custom', path: ['externalUsers', i, 'secretName'], message: error.message });
        continue;
      }
      const owner = secrets.get(secret);
      if (owner !== undefined && owner !== `${user.name}@${name}`) {
        ctx.addIssue({
          code: 'custom',
          path: ['externalUsers', i, 'secretName'],
          message: `${secret} would hold the kubeconfigs of both ${owner} and ${user.name}@${name}; use the {cluster} placeholder`,
        });
      }
      secrets.set(secret, `${user.name}@${name}`);
    }
  });
}
