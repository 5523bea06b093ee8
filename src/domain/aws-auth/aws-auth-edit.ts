import { isSeq } from 'yaml';
import { arnKey } from '../arn';
import { type AwsAuthEntry, parseAwsAuth, parseSection, type Section, sections } from './aws-auth';
import type { AwsAuthPlan } from './plan';
import { EncodingMismatchError, encodeEntry, escapeRaw } from './tool-entry-text';

export { EncodingMismatchError } from './tool-entry-text';

/**
 * The next mapRoles/mapUsers texts. Entries the tool does not own keep their place and their text
 * (comments included); owned entries follow, sorted, every string double-quoted so that YAML 1.1
 * cannot read `{{SessionName}}` as a map or `yes` as a boolean. The result is parsed back and must
 * hold exactly the planned entries, or nothing is returned.
 */
export function encodeAwsAuth(
  data: Record<string, string>,
  plan: Pick<AwsAuthPlan, 'result' | 'owned' | 'drifted'>,
): Record<string, string> {
  const next: Record<string, string> = { ...data };
  for (const section of sections) {
    const result = plan.result.filter((e) => e.section === section);
    const keep = new Set(result.filter((e) => e.index >= 0).map((e) => e.index));
    // A drifted entry left as it is keeps its claim but also its text and place, like a hand-written one.
    const leftAsIs = new Set(
      plan.drifted.filter((d) => d.resolution === 'reported').map((d) => arnKey(d.arn)),
    );
    const owned = result.filter(
      (e) => e.index < 0 || (plan.owned[section].has(e.key) && !leftAsIs.has(e.key)),
    );
    for (const e of owned) keep.delete(e.index);
    const text = encodeSection(data[section], keep, owned);
    if (text === undefined) delete next[section];
    else next[section] = text;
  }
  verify(next, plan.result);
  return next;
}

function encodeSection(
  original: string | undefined,
  keep: Set<number>,
  owned: AwsAuthEntry[],
): string | undefined {
  let unowned = '';
  if (original !== undefined && keep.size > 0) {
    const { doc } = parseSection(original);
    const seq = doc.contents;
    if (!isSeq(seq)) throw new EncodingMismatchError('unowned entries found outside a list');
    // Nothing taken out, nothing added: the text stays byte for byte, comments and spacing included.
    if (owned.length === 0 && keep.size === seq.items.length) return original;
    seq.items = seq.items.filter((_, i) => keep.has(i));
    seq.flow = false;
    // A `...` end marker kept here would turn the owned entries appended below into a second document.
    if (doc.directives) doc.directives.docEnd = false;
    // `yaml` writes an escaped DEL or C1 control back raw; an escape is right only inside double quotes,
    // which is where `yaml` puts them (verify() refuses any other place, where the meaning would change).
    unowned = escapeRaw(doc.toString({ lineWidth: 0 }));
  }
  const ownedText = owned.map(encodeEntry).join('');
  if (unowned === '' && ownedText === '') return original === undefined ? undefined : '[]\n';
  return `${unowned}${ownedText}`;
}

function verify(data: Record<string, string>, expected: AwsAuthEntry[]): void {
  const actual = parseAwsAuth(data).entries;
  const describe = (entries: AwsAuthEntry[], section: Section) =>
    entries
      .filter((e) => e.section === section)
      // An entry without an ARN is keyed by its position, which moves when owned entries before it move.
      .map((e) => JSON.stringify([e.arn ? e.key : '', e.username, e.groups]))
      .join('\n');
  for (const section of sections) {
    if (describe(actual, section) !== describe(expected, section)) {
      throw new EncodingMismatchError(`encoded ${section} does not read back as planned; nothing written`);
    }
  }
}
