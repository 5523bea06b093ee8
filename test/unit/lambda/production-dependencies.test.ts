import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, dir, f));
}

/** The packages the deployed code loads: value imports and dynamic import(), not `import type`. */
function importedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  const statement = /^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^'.][^']*)'/gms;
  const dynamic = /import\(\s*'([^'.][^']*)'\s*\)/g;
  for (const file of [...sources('src'), ...sources('handlers')]) {
    const text = readFileSync(file, 'utf8');
    for (const match of [...text.matchAll(statement), ...text.matchAll(dynamic)]) {
      const specifier = match[1] as string;
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
      found.set(name, file.slice(root.length + 1));
    }
  }
  return found;
}

describe('the deployed code', () => {
  // `npm ci --omit=dev` (and a bundler honouring it) would leave out a package the code only gets
  // through a dev tool's dependencies, as @aws-sdk/client-s3 came through osls.
  it('imports only production dependencies, recorded as such in package.json and the lockfile', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const imported = importedPackages();
    expect(imported.size).toBeGreaterThan(10);

    const notProduction = [...imported]
      .filter(
        ([name]) =>
          manifest.dependencies?.[name] === undefined ||
          lock.packages['']?.dependencies?.[name] !== manifest.dependencies[name] ||
          lock.packages[`node_modules/${name}`]?.dev === true,
      )
      .map(([name, file]) => `${name} (${file})`);

    expect(notProduction).toEqual([]);
  });
});
