import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** The modules a handler's bundle evaluates at start-up: those reached without a dynamic import(). */
async function loadedAtStartup(handler: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(root, 'handlers', handler)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const seen = new Set<string>();
  const queue = [`handlers/${handler}`];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of metafile.inputs[file]?.imports ?? []) {
      if (i.kind !== 'dynamic-import' && !i.external) queue.push(i.path);
    }
  }
  return [...seen];
}

describe('a function cold start', () => {
  const handlers = readdirSync(join(root, 'handlers')).filter((f) => f.endsWith('.ts'));

  it.each(handlers)(
    '%s loads client-node and undici only on its first cluster request',
    { timeout: 60_000 },
    async (handler) => {
      const startup = await loadedAtStartup(handler);

      expect(startup.some((f) => f.includes('src/wiring/'))).toBe(true);
      expect(startup.filter((f) => /node_modules\/(@kubernetes\/client-node|undici)\//.test(f))).toEqual([]);
    },
  );
});
