import { type Document, isAlias, isMap, isScalar, isSeq, type Node, Scalar } from 'yaml';

/** go-yaml could not read a merge key: it fails the whole key, and so must we. */
export class MergeKeyError extends Error {
  override name = 'MergeKeyError';
}

/** Aliases to merge, followed through aliases: deeper than this is a cycle or a bomb. */
const maxDepth = 20;

/**
 * A mapping as go-yaml v2 (through sigs.k8s.io/yaml, as the authenticator reads aws-auth) builds it:
 * pairs in order, the later key winning; a plain `<<` merges a map, or a list of maps in which the
 * earlier ones win, at its place in that order (not below every explicit key, as the YAML spec says).
 * A quoted "<<" is an ordinary key there.
 */
export function goYamlMapping(node: unknown, doc: Document, depth = 0): Record<string, unknown> | undefined {
  const map = resolved(node, doc, depth);
  if (!isMap(map)) return undefined;
  const out: Record<string, unknown> = {};
  for (const pair of map.items) {
    const key = pair.key;
    if (isScalar(key) && key.value === '<<' && key.type === Scalar.PLAIN) {
      merge(out, pair.value, doc, depth + 1);
      continue;
    }
    const name = isScalar(key) ? String(key.toJS(doc)) : String((key as Node | null)?.toJS(doc) ?? '');
    out[name] = pair.value === null ? null : (pair.value as Node).toJS(doc, { maxAliasCount: 100 });
  }
  return out;
}

function merge(out: Record<string, unknown>, value: unknown, doc: Document, depth: number): void {
  const source = resolved(value, doc, depth);
  const sources = isSeq(source) ? [...source.items].reverse() : [source];
  for (const item of sources) {
    const mapping = goYamlMapping(item, doc, depth);
    if (!mapping) throw new MergeKeyError('map merge requires map or sequence of maps as the value');
    Object.assign(out, mapping);
  }
}

function resolved(node: unknown, doc: Document, depth: number): unknown {
  if (depth > maxDepth) throw new MergeKeyError('merge keys nested too deep (a cycle of aliases?)');
  return isAlias(node) ? node.resolve(doc) : node;
}
