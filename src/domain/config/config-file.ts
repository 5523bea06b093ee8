import { isNode, LineCounter, parseDocument } from 'yaml';
import { type ConfigIssue, InvalidConfigError } from '../errors';
import { type AccessConfig, accessConfigSchema } from './config';

/**
 * Reads `access.yaml`: YAML errors and every schema problem are reported together, each with
 * its path and line, so one run shows everything to fix.
 */
export function parseAccessConfig(text: string, source = 'access.yaml'): AccessConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InvalidConfigError(
      source,
      doc.errors.map((e) => ({
        path: `line ${lines.linePos(e.pos[0]).line}`,
        message: e.message.split('\n')[0] ?? '',
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    // An alias to no anchor, or an alias bomb: yaml only finds these when building the values.
    throw new InvalidConfigError(source, [{ path: '', message: (error as Error).message }]);
  }
  const result = accessConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const located = (path: PropertyKey[], message: string): ConfigIssue => {
    const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const node = findNode(doc, path as (string | number)[]);
    const line = node ? ` (line ${lines.linePos(node).line})` : '';
    return { path: `${where.replace(/^\./, '')}${line}`, message };
  };
  // An unknown key is reported where it is written, one issue per key, not at the object holding it.
  const issues: ConfigIssue[] = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => located([...issue.path, key], `unknown key "${key}"`))
      : [located(issue.path, issue.message)],
  );
  throw new InvalidConfigError(source, issues);
}

/** The start offset of the deepest node that exists along the path. */
function findNode(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
