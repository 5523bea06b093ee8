import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { parseDocument } from 'yaml';
import { counter, percentile, progress, round } from './progress';

const root = resolve(import.meta.dirname, '..');
const node24 = join(root, 'node_modules/.bin/node');
const megabyte = 1_000_000;
/** The last commit with the hand-written Kubernetes client: "before" in every comparison. */
const beforeRef = process.env.COLD_START_BEFORE ?? '9fa34ca';

interface EsbuildSettings {
  mainFields?: string[];
  minify?: boolean;
  keepNames?: boolean;
  sourcemap?: boolean;
  sourcesContent?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'cjs' | 'esm';
  outputFileExtension?: string;
}

/** A serverless.yml's custom.esbuild and the NODE_OPTIONS the functions run with. */
function productionSettings(dir = root): { esbuild: EsbuildSettings; nodeOptions: string } {
  const sls = parseDocument(readFileSync(join(dir, 'serverless.yml'), 'utf8'), {
    logLevel: 'silent',
    customTags: ['!GetAtt', '!Ref', '!Sub'].map((tag) => ({ tag, resolve: (v: string) => v })),
  }).toJS() as {
    custom?: { esbuild?: EsbuildSettings };
    provider?: { environment?: Record<string, string> };
  };
  return { esbuild: sls.custom?.esbuild ?? {}, nodeOptions: sls.provider?.environment?.NODE_OPTIONS ?? '' };
}

async function bundle(options: BuildOptions, esbuild: EsbuildSettings, outfile: string, dir = root) {
  const result = await build({
    ...options,
    bundle: true,
    minify: esbuild.minify ?? false,
    keepNames: esbuild.keepNames ?? false,
    sourcemap: esbuild.sourcemap ?? false,
    sourcesContent: esbuild.sourcesContent ?? true,
    target: esbuild.target ?? 'node24',
    platform: esbuild.platform ?? 'node',
    format: esbuild.format ?? 'cjs',
    ...(esbuild.mainFields ? { mainFields: esbuild.mainFields } : {}),
    outfile,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: dir,
    // The "before" sources are checked out elsewhere; their packages are this repository's.
    nodePaths: [join(root, 'node_modules')],
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => !file.endsWith('.map'))?.[1];
  // Only modules that put code in the bundle: the metafile also lists files tree-shaken to nothing.
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  return { file: outfile, bytes: statSync(outfile).size, inputs };
}

/** The aggregated client class (`IAM`, `SecretsManager`) that imports every command of a service. */
async function fullClientName(pkg: string): Promise<string> {
  const mod = (await import(pkg)) as Record<string, unknown>;
  const name = Object.keys(mod).find(
    (k) => /^[A-Z]\w*Client$/.test(k) && typeof mod[k.slice(0, -'Client'.length)] === 'function',
  );
  if (!name) throw new Error(`${pkg} has no aggregated client`);
  return name.slice(0, -'Client'.length);
}

/**
 * Requires the bundle in a fresh Node 24 process, as the Lambda runtime loads a handler: wall
 * milliseconds, and the CPU milliseconds the process spent on it (steadier on a busy machine).
 */
function timeRequire(file: string, nodeOptions: string): { wall: number; cpu: number } {
  const script = `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(file)});const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);process.stdout.write(JSON.stringify({wall:w,cpu:(u.user+u.system)/1e3}))`;
  const run = spawnSync(node24, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_OPTIONS: nodeOptions, HOME: tmpdir() },
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`requiring ${basename(file)} failed: ${run.stderr.slice(0, 500)}`);
  return JSON.parse(run.stdout) as { wall: number; cpu: number };
}

/** handlers/, src/ and serverless.yml as they were at `ref`, in a directory of their own. */
function checkout(ref: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['-C', root, 'archive', ref, 'handlers', 'src', 'serverless.yml']);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
}

type Variant = 'ours' | 'before' | 'clientNode' | 'naive';

/**
 * Scenario 5: per function in handlers/, its production bundle (serverless.yml's esbuild settings)
 * against: `before`, the same function at `beforeRef` (the hand-written Kubernetes client) with that
 * commit's settings; `clientNode`, only the Kubernetes adapters (client-node and undici, which the
 * functions load on their first cluster request: what that first request adds); and a naive bundle
 * (aggregated SDK clients and client-node's KubeConfig at the top of the file). Init = requiring the
 * bundle in a fresh `node` 24, median of `runs` processes, variants alternating, with the functions'
 * NODE_OPTIONS (source maps) and without.
 */
export async function coldStartScenario(runs = 15) {
  const { esbuild, nodeOptions } = productionSettings();
  const out = mkdtempSync(join(tmpdir(), 'eks-access-sync-coldstart-'));
  const beforeDir = join(out, 'before');
  checkout(beforeRef, beforeDir);
  const beforeSettings = productionSettings(beforeDir);
  const ext = esbuild.outputFileExtension ?? '.js';
  const result: Record<string, unknown> = {};
  try {
    const clientNode = await bundle(
      { entryPoints: [join(root, 'src/adapters/kubernetes/kubernetes-adapters.ts')] },
      esbuild,
      join(out, `kubernetes-adapters${ext}`),
    );
    const handlers = readdirSync(join(root, 'handlers')).filter((f) => f.endsWith('.ts'));
    for (const file of handlers) {
      const fn = basename(file, '.ts').replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      const ours = await bundle(
        { entryPoints: [join(root, 'handlers', file)] },
        esbuild,
        join(out, `${fn}${ext}`),
      );
      const before = await bundle(
        { entryPoints: [join(beforeDir, 'handlers', file)] },
        beforeSettings.esbuild,
        join(out, `${fn}-before${beforeSettings.esbuild.outputFileExtension ?? '.js'}`),
        beforeDir,
      );
      const sdkPackages = [
        ...new Set(
          ours.inputs
            .map((i) => /node_modules\/(@aws-sdk\/client-[\w-]+)\//.exec(i)?.[1])
            .filter((p): p is string => p !== undefined),
        ),
      ].sort();
      const clients = await Promise.all(
        sdkPackages.map(async (p) => ({ pkg: p, name: await fullClientName(p) })),
      );
      const contents = [
        `export * from ${JSON.stringify(join(root, 'handlers', file))};`,
        ...clients.map((c) => `import { ${c.name} } from '${c.pkg}';`),
        `import * as k8s from '@kubernetes/client-node';`,
        'const region = process.env.AWS_REGION;',
        `const kubeConfig = new k8s.KubeConfig();`,
        `export const naive = { k8s, kubeConfig, ${clients.map((c) => `${c.name.toLowerCase()}: new ${c.name}({ region })`).join(', ')} };`,
      ].join('\n');
      const naive = await bundle(
        { stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: `naive-${file}` } },
        esbuild,
        join(out, `${fn}-naive${ext}`),
      );
      const bundles: Record<Variant, { file: string; bytes: number; nodeOptions: string }> = {
        ours: { ...ours, nodeOptions },
        before: { ...before, nodeOptions: beforeSettings.nodeOptions },
        clientNode: { ...clientNode, nodeOptions },
        naive: { ...naive, nodeOptions },
      };
      progress(
        'coldStart',
        `${fn}: ${round(ours.bytes / 1e3)} kB (before ${round(before.bytes / 1e3)} kB); timing ${runs}× each`,
      );
      const timings = new Map<string, { wall: number[]; cpu: number[] }>();
      const record = (key: string, t: { wall: number; cpu: number }) => {
        const list = timings.get(key) ?? { wall: [], cpu: [] };
        list.wall.push(t.wall);
        list.cpu.push(t.cpu);
        timings.set(key, list);
      };
      const tick = counter('coldStart', `${fn} requires`, runs, 5);
      for (let i = 0; i < runs; i++) {
        for (const [variant, b] of Object.entries(bundles)) {
          record(`${variant} maps`, timeRequire(b.file, b.nodeOptions));
          record(`${variant} nomaps`, timeRequire(b.file, ''));
        }
        tick();
      }
      const figures = (variant: Variant) => {
        const m = (key: string, what: 'wall' | 'cpu') =>
          round(percentile(timings.get(key)?.[what] ?? [], 50));
        return {
          bundleBytes: bundles[variant].bytes,
          initMs: m(`${variant} maps`, 'wall'),
          initCpuMs: m(`${variant} maps`, 'cpu'),
          withoutSourceMaps: {
            initMs: m(`${variant} nomaps`, 'wall'),
            initCpuMs: m(`${variant} nomaps`, 'cpu'),
          },
        };
      };
      const [o, b, c, n] = [figures('ours'), figures('before'), figures('clientNode'), figures('naive')];
      result[fn] = {
        ...o,
        before: b,
        vsBefore: {
          bundle: round(o.bundleBytes / b.bundleBytes, 2),
          init: round(o.initMs / b.initMs, 2),
          initCpu: round(o.initCpuMs / b.initCpuMs, 2),
          initWithoutSourceMaps: round(o.withoutSourceMaps.initMs / b.withoutSourceMaps.initMs, 2),
        },
        clientNodeOnFirstClusterRequest: c,
        naive: {
          ...n,
          adds: [
            ...clients.map((x) => `${x.pkg} ${x.name} (aggregated client)`),
            '@kubernetes/client-node (KubeConfig)',
          ],
        },
        initRatioVsNaive: round(o.initMs / n.initMs, 3),
        sdkClients: sdkPackages,
        targetsMet: {
          bundleAtMost1MB: o.bundleBytes <= megabyte,
          initAtMostTwiceBefore: o.initCpuMs <= 2 * b.initCpuMs && o.initMs <= 2 * b.initMs,
        },
      };
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return {
    ...result,
    notes: `Bundled with serverless.yml custom.esbuild ${JSON.stringify(esbuild)}; "before" is ${beforeRef} (hand-written Kubernetes client) bundled with its own serverless.yml ${JSON.stringify(beforeSettings.esbuild)}. bundleBytes is the ${ext} file (the source map is a separate file). Init times are medians over ${runs} fresh \`node\` ${spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim()} processes each requiring the bundle (variants alternating), with the functions' NODE_OPTIONS (${JSON.stringify(nodeOptions)}) and without; initMs is wall time, initCpuMs the process's CPU time for the same require (less sensitive to other work on the machine). The functions load the Kubernetes adapters (client-node, undici) on their first cluster request: clientNodeOnFirstClusterRequest is that module alone, what that first request adds. 1 MB = 1,000,000 bytes.`,
  };
}
