import { createHash } from 'node:crypto';
import { AwsAuthParseError } from '../errors';
import { type Section, sections } from './aws-auth';

/**
 * The annotation on aws-auth that records, per section, the ARN key of each entry this tool wrote
 * and a digest of exactly what it wrote there: a claim holds only while the entry still reads the same.
 */
export const ownedAnnotation = 'eks-access-sync.io/owned-entries';

/**
 * ARN key → digest of the entry as written; `undefined` for a claim in the first format (a bare
 * list of keys), which carries no digest and is kept only for an entry the tool would write as it stands.
 */
export type Ownership = Record<Section, Map<string, string | undefined>>;

/** Kubernetes caps all of an object's annotations together at 256 KiB; a larger claim was not written by us. */
export const maxOwnershipBytes = 256 * 1024;
const digestPattern = /^[A-Za-z0-9_-]{8}$/;

export function emptyOwnership(): Ownership {
  return { mapRoles: new Map(), mapUsers: new Map() };
}

/**
 * 48 bits of SHA-256 over the entry as the authenticator reads it: enough to notice any hand edit
 * (a chance of 1 in 2^48 to miss one), small enough that ~10,000 users fit in the annotation.
 */
export function entryDigest(entry: {
  section: Section;
  arn: string;
  username: string;
  groups: readonly string[];
}) {
  const normalized = JSON.stringify([entry.section, entry.arn, entry.username, entry.groups]);
  return createHash('sha256').update(normalized).digest('base64url').slice(0, 8);
}

export function readOwnership(annotations: Record<string, string> | undefined): Ownership {
  const raw = annotations?.[ownedAnnotation];
  const owned = emptyOwnership();
  if (raw === undefined) return owned;
  const refuse = (why: string) => new AwsAuthParseError([`annotation ${ownedAnnotation}: ${why}`]);
  if (Buffer.byteLength(raw) > maxOwnershipBytes) {
    throw refuse(`is larger than ${maxOwnershipBytes} bytes, so it was not written by this tool`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw refuse('is not JSON, so what this tool owns is unknown');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse('must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  if (record.v === undefined) return readFirstFormat(record, owned, refuse);
  if (record.v !== 2) throw refuse(`format version ${JSON.stringify(record.v)} is not one this tool knows`);
  for (const section of sections) {
    const byPrefix = record[section] ?? {};
    if (typeof byPrefix !== 'object' || byPrefix === null || Array.isArray(byPrefix)) {
      throw refuse(`${section} must map ARN prefixes to {name: digest}`);
    }
    for (const [prefix, names] of Object.entries(byPrefix)) {
      if (typeof names !== 'object' || names === null || Array.isArray(names)) {
        throw refuse(`${section} ${prefix} must map names to digests`);
      }
      for (const [name, digest] of Object.entries(names)) {
        if (typeof digest !== 'string' || !digestPattern.test(digest)) {
          throw refuse(`${section} ${prefix}${name}: ${JSON.stringify(digest)} is not a digest`);
        }
        owned[section].set(`${prefix}${name}`, digest);
      }
    }
  }
  return owned;
}

/** `{"mapRoles": [key…], "mapUsers": [key…]}`, written before claims carried a digest. */
function readFirstFormat(
  record: Record<string, unknown>,
  owned: Ownership,
  refuse: (why: string) => AwsAuthParseError,
): Ownership {
  for (const section of sections) {
    const keys = record[section] ?? [];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw refuse(`${section} must be a list of ARN keys`);
    }
    for (const key of keys as string[]) owned[section].set(key, undefined);
  }
  return owned;
}

/**
 * `{"v":2,"mapUsers":{"arn:aws:iam::111122223333:user/":{"alice":"Xb3k9_Qa"}}}`: keys grouped by
 * the ARN up to its first `/`, so the account part is written once, not once per user. Sorted, so
 * that the same ownership always encodes to the same text and a no-op writes nothing.
 */
export function encodeOwnership(owned: Ownership): string {
  const out: Record<string, unknown> = { v: 2 };
  for (const section of sections) {
    const byPrefix: Record<string, Record<string, string>> = {};
    for (const key of [...owned[section].keys()].sort()) {
      const digest = owned[section].get(key);
      if (digest === undefined) continue; // a first-format claim is never written back without its digest
      const cut = key.indexOf('/') + 1;
      const prefix = key.slice(0, cut);
      byPrefix[prefix] ??= {};
      byPrefix[prefix][key.slice(cut)] = digest;
    }
    out[section] = byPrefix;
  }
  return JSON.stringify(out);
}

/** Same keys with the same digests: encoding both would give the same text. */
export function sameOwnership(a: Ownership, b: Ownership): boolean {
  return sections.every(
    (s) => a[s].size === b[s].size && [...a[s]].every(([k, d]) => b[s].has(k) && b[s].get(k) === d),
  );
}
