import { createHash } from 'node:crypto';
import * as z from 'zod';
import { arnKey } from '../arn';
import { DomainError } from '../errors';
import type { Section } from './aws-auth';
import type { Mapping } from './plan';

/** On aws-auth: the id of the record of the tool's last write there, which binds the kept record to it. */
export const lastWriteAnnotation = 'eks-access-sync.io/last-write';

/** One entry a write of ours changed: what it read before and what it wrote (absent: no entry). */
export interface RecordedChange {
  section: Section;
  arn: string;
  before?: Mapping;
  after?: Mapping;
  /** Whether the entry before was the tool's own: an undo gives the claim back only then. */
  ownedBefore: boolean;
}

/** What one write of ours changed, entry by entry: what a rollback undoes. */
export interface WriteRecord {
  changes: RecordedChange[];
  /** Too large to keep (over `maxRecordBytes`): the write is not undoable and a rollback says so. */
  tooLarge?: true;
}

/** The record can't be trusted: not ours, or not in a form we write. */
export class WriteRecordError extends DomainError {
  override name = 'WriteRecordError';
}

/** A ConfigMap holds at most 1 MiB of data; the record must fit with room to spare. */
export const maxRecordBytes = 900 * 1024;

// Compact tuples, so that a first sync of thousands of users still fits: [section, arn, before, after, ownedBefore].
const mappingTuple = z.tuple([z.string(), z.array(z.string())]).nullable();
const recordSchema = z.strictObject({
  v: z.literal(1),
  tooLarge: z.literal(true).optional(),
  changes: z.array(
    z.tuple([z.enum(['mapRoles', 'mapUsers']), z.string(), mappingTuple, mappingTuple, z.boolean()]),
  ),
});

/** The record as text, and its id: 16 characters of its SHA-256, recorded on aws-auth by the write. */
export function encodeWriteRecord(record: WriteRecord): { text: string; id: string } {
  const tuple = (m?: Mapping) => (m ? [m.username, m.groups] : null);
  let text = JSON.stringify({
    v: 1,
    changes: record.changes.map((c) => [c.section, c.arn, tuple(c.before), tuple(c.after), c.ownedBefore]),
  });
  if (record.tooLarge || Buffer.byteLength(text) > maxRecordBytes) {
    text = JSON.stringify({ v: 1, tooLarge: true, changes: [] });
  }
  return { text, id: writeRecordId(text) };
}

export function writeRecordId(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

export function readWriteRecord(text: string): WriteRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WriteRecordError('the kept record of the last write is not JSON');
  }
  const parsed = recordSchema.safeParse(raw);
  if (!parsed.success)
    throw new WriteRecordError('the kept record of the last write is not in a form this tool writes');
  const mapping = (arn: string, m: [string, string[]] | null): Mapping | undefined =>
    m ? { arn, username: m[0], groups: m[1] } : undefined;
  return {
    ...(parsed.data.tooLarge ? { tooLarge: true as const } : {}),
    changes: parsed.data.changes.map(([section, arn, before, after, ownedBefore]) => {
      const b = mapping(arn, before);
      const a = mapping(arn, after);
      return { section, arn, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}), ownedBefore };
    }),
  };
}

/** The key the entry is found by in aws-auth. */
export function recordedKey(change: Pick<RecordedChange, 'arn'>): string {
  return arnKey(change.arn);
}

/** On aws-auth: the ids of the latest rollback requests applied there, so a retried one is not applied twice. */
export const rollbackRequestsAnnotation = 'eks-access-sync.io/rollback-requests';
const keptRequests = 20;

export function appliedRequests(annotations: Record<string, string>): string[] {
  return (annotations[rollbackRequestsAnnotation] ?? '').split(' ').filter((id) => id !== '');
}

/** The annotation with `requestId` added, the oldest dropped past the last 20. */
export function withAppliedRequest(annotations: Record<string, string>, requestId: string): string {
  return [...appliedRequests(annotations), requestId].slice(-keptRequests).join(' ');
}
