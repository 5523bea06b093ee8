import { AwsAuthParseError } from '../errors';
import { type Section, sections } from './aws-auth';

/** The annotation on aws-auth that lists, per section, the ARN keys of the entries this tool wrote. */
export const ownedAnnotation = 'eks-access-sync.io/owned-entries';

export type Ownership = Record<Section, Set<string>>;

export function emptyOwnership(): Ownership {
  return { mapRoles: new Set(), mapUsers: new Set() };
}

export function readOwnership(annotations: Record<string, string> | undefined): Ownership {
  const raw = annotations?.[ownedAnnotation];
  const owned = emptyOwnership();
  if (raw === undefined) return owned;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AwsAuthParseError([
      `annotation ${ownedAnnotation} is not JSON, so what this tool owns is unknown`,
    ]);
  }
  for (const section of sections) {
    const keys = (value as Record<string, unknown> | null)?.[section] ?? [];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw new AwsAuthParseError([`annotation ${ownedAnnotation}: ${section} must be a list of ARN keys`]);
    }
    for (const key of keys as string[]) owned[section].add(key);
  }
  return owned;
}

/** Sorted, so that the same ownership always encodes to the same text and a no-op writes nothing. */
export function encodeOwnership(owned: Ownership): string {
  return JSON.stringify({ mapRoles: [...owned.mapRoles].sort(), mapUsers: [...owned.mapUsers].sort() });
}
