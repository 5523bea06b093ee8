import { createHash } from 'node:crypto';

/** The staging labels of the Secrets Manager rotation protocol. */
export const stage = { current: 'AWSCURRENT', pending: 'AWSPENDING', previous: 'AWSPREVIOUS' } as const;

/** Version id → staging labels, as DescribeSecret gives them. */
export type VersionStages = Record<string, string[]>;

/** A Secret a token was bound to, and the Secrets Manager version that token went into. */
export interface BoundSecretVersion {
  name: string;
  /** Absent on a bound Secret whose version annotation was lost: it belongs to no version we keep. */
  versionId?: string;
}

/** The version that carries `label`, if any. */
export function versionWith(stages: VersionStages, label: string): string | undefined {
  return Object.keys(stages)
    .sort()
    .find((id) => stages[id]?.includes(label));
}

/**
 * The per-rotation Secret a version's token is bound to. Named from the version id, so that a step
 * that runs twice finds the Secret the first run made instead of making another.
 */
export function boundSecretName(serviceAccount: string, versionId: string): string {
  const slug = versionId.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  // Ids that are not already lower-case DNS-safe get a hash, so two of them never share a Secret.
  const suffix =
    slug === versionId && /[a-z0-9]$/.test(slug)
      ? slug
      : `${slug.slice(0, 40)}-${createHash('sha256').update(versionId).digest('hex').slice(0, 12)}`;
  // At most 16 + 63 + 1 + 64 characters: well inside the 253 a Secret name may have.
  return `eks-access-sync-${serviceAccount}-${suffix}`;
}

/**
 * Which tokens to revoke once a version is promoted: every bound Secret whose version is neither
 * AWSCURRENT nor AWSPREVIOUS, so at most two tokens stay valid and a leaked older one dies.
 */
export function boundSecretsToRevoke(bound: readonly BoundSecretVersion[], stages: VersionStages): string[] {
  const keep = new Set(
    [versionWith(stages, stage.current), versionWith(stages, stage.previous)].filter(
      (id): id is string => id !== undefined,
    ),
  );
  return bound
    .filter((secret) => secret.versionId === undefined || !keep.has(secret.versionId))
    .map((secret) => secret.name)
    .sort();
}
