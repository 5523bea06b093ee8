import { DomainError } from '../errors';
import type { AwsAuthEntry } from './aws-auth';

/** The encoder produced text the authenticator would read differently from the plan: a bug, never written. */
export class EncodingMismatchError extends DomainError {
  override name = 'EncodingMismatchError';
}

/**
 * One entry exactly as the tool writes it: every string double-quoted (YAML 1.1 cannot then read
 * `{{SessionName}}` as a map or `yes` as a boolean), one group per line.
 */
export function encodeEntry(entry: AwsAuthEntry): string {
  const arnField = entry.section === 'mapRoles' ? 'rolearn' : 'userarn';
  const q = (value: string) => {
    // go-yaml refuses a lone surrogate even escaped: refuse what cannot be written.
    if (!value.isWellFormed())
      throw new EncodingMismatchError(`${JSON.stringify(value)} is not valid Unicode`);
    return escapeRaw(JSON.stringify(value));
  };
  const groups =
    entry.groups.length === 0
      ? '  groups: []\n'
      : `  groups:\n${entry.groups.map((g) => `    - ${q(g)}\n`).join('')}`;
  return `- ${arnField}: ${q(entry.arn)}\n  username: ${q(entry.username)}\n${groups}`;
}

/** go-yaml refuses DEL, C1 controls and U+FFFE/U+FFFF written raw, dropping the whole key; JSON leaves them raw. */
export function escapeRaw(text: string): string {
  return text.replace(
    /[\u007f-\u009f\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Whether an entry's text in aws-auth is exactly what the tool writes for it. The tool has always
 * written its entries this way, so a claim without a digest (the first annotation format) is believed
 * only for such an entry: hand-written text, even of the same mapping, is not the tool's.
 */
export function inToolText(
  source: string,
  entry: Pick<AwsAuthEntry, 'section' | 'arn' | 'username' | 'groups'>,
): boolean {
  try {
    return (
      source.trimEnd() ===
      encodeEntry(entry as AwsAuthEntry)
        .slice(2)
        .trimEnd()
    );
  } catch {
    return false;
  }
}
