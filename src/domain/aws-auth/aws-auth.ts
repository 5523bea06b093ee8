import { type Document, isScalar, isSeq, LineCounter, parseDocument, type ScalarTag } from 'yaml';
import { arnKey } from '../arn';
import { AwsAuthParseError } from '../errors';
import { goYamlMapping } from './go-yaml-merge';
import { inToolText } from './tool-entry-text';

/** The two aws-auth data keys whose entries the tool may manage; the authenticator reads them by exact name. */
export type Section = 'mapRoles' | 'mapUsers';
export const sections: readonly Section[] = ['mapRoles', 'mapUsers'];
const arnField: Record<Section, 'rolearn' | 'userarn'> = { mapRoles: 'rolearn', mapUsers: 'userarn' };

/** One mapping as the authenticator reads it. */
export interface AwsAuthEntry {
  section: Section;
  /** The ARN as written; `''` for an entry without one (an SSO matcher, say). */
  arn: string;
  /** What the authenticator compares by: the lower-cased ARN (or the entry's position when it has none). */
  key: string;
  username: string;
  groups: string[];
  /** 1-based line in the section's text, for messages. */
  line: number;
  /** Position in the section's list; -1 for an entry not yet written. */
  index: number;
  /** Its text is exactly what the tool writes for it (tool-entry-text.ts). */
  toolText?: true;
}

export interface ParsedAwsAuth {
  entries: AwsAuthEntry[];
  warnings: string[];
}

/**
 * Reads mapRoles and mapUsers as the EKS authenticator does (YAML 1.1, field names
 * case-insensitive, every value a string) and collects every problem; any problem means
 * the ConfigMap must not be written over.
 */
export function parseAwsAuth(data: Record<string, string | undefined>): ParsedAwsAuth {
  const problems: string[] = [];
  const warnings: string[] = [];
  const entries: AwsAuthEntry[] = [];
  for (const section of sections) {
    const text = data[section];
    if (text === undefined || skippable(text)) continue;
    const { doc, lines } = parseSection(text);
    for (const error of doc.errors) {
      problems.push(`${section} line ${lines.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
    }
    if (doc.errors.length > 0) continue;
    const version = yamlDirective(text);
    if (version !== undefined && version !== '1.1') {
      // go-yaml answers "found incompatible YAML document" and the authenticator drops the whole key.
      problems.push(`${section} line 1: %YAML ${version}: the authenticator reads only YAML 1.1 documents`);
      continue;
    }
    const contents = doc.contents;
    if (contents === null || (contents as { value?: unknown }).value === null) continue;
    if (!isSeq(contents)) {
      problems.push(`${section} line 1: must be a YAML list of mappings`);
      continue;
    }
    contents.items.forEach((item, index) => {
      const line = lines.linePos((item as { range?: [number] }).range?.[0] ?? 0).line;
      const where = `${section} line ${line}`;
      let raw: Record<string, unknown> | undefined;
      try {
        raw = goYamlMapping(item, doc);
      } catch (error) {
        // An alias to no anchor, an alias bomb, a bad merge: go-yaml fails the whole key on it too.
        problems.push(`${where}: ${(error as Error).message}`);
        return;
      }
      if (!raw) {
        problems.push(`${where}: each entry must be a mapping`);
        return;
      }
      const entry = readEntry(section, raw, where, problems, warnings);
      if (!entry) return;
      const range = (item as { range?: [number, number, number] }).range;
      const source = range ? text.slice(range[0], range[2]) : '';
      const toolText = inToolText(source, entry) ? { toolText: true as const } : {};
      entries.push({ ...entry, key: entry.arn ? arnKey(entry.arn) : `#${index}`, line, index, ...toolText });
    });
  }
  const accounts = data.mapAccounts;
  if (accounts !== undefined && !skippable(accounts)) {
    const { doc, lines } = parseSection(accounts);
    for (const error of doc.errors) {
      problems.push(`mapAccounts line ${lines.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
    }
    const version = yamlDirective(accounts);
    if (version !== undefined && version !== '1.1') {
      problems.push(`mapAccounts line 1: %YAML ${version}: the authenticator reads only YAML 1.1 documents`);
    }
    if (doc.errors.length === 0 && doc.contents !== null && !isSeq(doc.contents) && plain(doc) !== null) {
      problems.push('mapAccounts line 1: must be a YAML list of account IDs');
    }
    // go-yaml reads mapAccounts into a list of strings: a nested list or mapping fails the whole key.
    const nested = isSeq(doc.contents) ? doc.contents.items.find((item) => !isScalar(item)) : undefined;
    if (nested) {
      const line = lines.linePos((nested as { range?: [number] }).range?.[0] ?? 0).line;
      problems.push(`mapAccounts line ${line}: each account must be a single value`);
    }
  }
  problems.push(...duplicates(entries));
  if (problems.length > 0) throw new AwsAuthParseError(problems);
  return { entries, warnings };
}

export function parseSection(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  // go-yaml, which the authenticator uses, speaks YAML 1.1: `yes`, `on`, `0x1f` are not strings there.
  const doc = parseDocument(text, {
    version: '1.1',
    uniqueKeys: true,
    lineCounter: lines,
    prettyErrors: false,
    // go-yaml keeps timestamps as the text written, and reads `0o17`, `-_1`, `0_x1f` as numbers where YAML 1.1 does not.
    customTags: (tags) => [
      // `<<` is merged the way go-yaml does it, by goYamlMapping, not by the YAML spec's rule.
      ...tags.filter((t) => typeof t === 'string' || !/:(timestamp|merge)$/.test(t.tag)),
      goNumber,
    ],
  });
  return { doc, lines };
}

/** A plain scalar go-yaml reads as a number once it drops every `_`; only its being a number matters here. */
const goNumber: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^(?=[-+0-9])[-+]?_*(?:0_*[xX]_*(?:[0-9a-fA-F]_*)+|0_*[oObB]_*(?:[0-7]_*)+|(?:\._*(?:[0-9]_*)+|(?:[0-9]_*)+(?:\._*(?:[0-9]_*)*)?)(?:[eE]_*[-+]?_*(?:[0-9]_*)+)?)$/,
  resolve: (text) => Number(text.replaceAll('_', '')),
};

/** The document as plain values; undefined when an alias cannot be resolved (to no anchor, or a bomb). */
function plain(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch {
    return undefined;
  }
}

/** The version a `%YAML` directive names before the document starts, as go-yaml reads it (`1.01` is 1.1). */
function yamlDirective(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const directive = /^%YAML[ \t]+0*(\d+)\.0*(\d+)/.exec(line);
    if (directive) return `${directive[1]}.${directive[2]}`;
    if (!/^\s*(#.*)?$/.test(line) && !line.startsWith('%')) return undefined;
  }
  return undefined;
}

/** The authenticator skips a data value that is blank or only an empty quoted string. */
function skippable(text: string): boolean {
  return ['', '``', '""', "''"].includes(text.trim());
}

function readEntry(
  section: Section,
  raw: unknown,
  where: string,
  problems: string[],
  warnings: string[],
): Omit<AwsAuthEntry, 'key' | 'line' | 'index'> | undefined {
  const fields = new Map<string, unknown>();
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const lower = name.toLowerCase();
    if (fields.has(lower)) {
      problems.push(`${where}: field "${name}" appears twice (field names are case-insensitive)`);
      return undefined;
    }
    fields.set(lower, value);
  }
  const text = (field: string): string | undefined => {
    const value = fields.get(field);
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    const hint = typeof value === 'object' ? ' (quote values that contain {{…}})' : ' (quote it)';
    problems.push(`${where}: ${field} must be a string, found ${describe(value)}${hint}`);
    return undefined;
  };
  const arn = text(arnField[section]);
  const username = text('username');
  const groupsValue = fields.get('groups');
  let groups: string[] | undefined = [];
  if (groupsValue !== undefined && groupsValue !== null) {
    if (!Array.isArray(groupsValue) || groupsValue.some((g) => typeof g !== 'string')) {
      problems.push(`${where}: groups must be a list of strings`);
      groups = undefined;
    } else groups = groupsValue as string[];
  }
  if (arn === undefined || username === undefined || groups === undefined) return undefined;
  if (arn === '') warnings.push(`${where}: entry has no ${arnField[section]}; it is kept as it is`);
  return { section, arn, username, groups };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Two entries for one ARN make the authenticator's answer depend on order: refuse to build on that. */
function duplicates(entries: AwsAuthEntry[]): string[] {
  const seen = new Map<string, AwsAuthEntry>();
  const problems: string[] = [];
  for (const entry of entries) {
    if (!entry.arn) continue;
    const id = `${entry.section}:${entry.key}`;
    const first = seen.get(id);
    if (first) {
      problems.push(
        `${entry.section} line ${entry.line}: ${entry.arn} is mapped twice (also at line ${first.line})`,
      );
    } else seen.set(id, entry);
  }
  return problems;
}
