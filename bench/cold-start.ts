import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { parseDocument } from 'yaml';
import { counter, percentile, progress, round } from './progress';

const root = resolve(import.meta.dirname, '..');
const node24 = join(root, 'node_modules/.bin/node');
const megabyte = 1_000_000;

interface EsbuildSettings {
  mainFields?: string[];
  minify?: boolean;
  keepNames?: boolean;
  sourcemap?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'cjs' | 'esm';
  outputFileExtension?: string;
}

/** serverless.yml's custom.esbuild and the NODE_OPTIONS the functions run with. */
function productionSettings(): { esbuild: EsbuildSettings; nodeOptions: string } {
  const sls = parseDocument(readFileSync(join(root, 'serverless.yml'), 'utf8'), {
    logLevel: 'silent',
    customTags: ['!GetAtt', '!Ref', '!Sub'].map((tag) => ({ tag, resolve: (v: string) => v })),
  }).toJS() as {
    custom?: { esbuild?: EsbuildSettings };
    provider?: { environment?: Record<string, string> };
  };
  return { esbuild: sls.custom?.esbuild ?? {}, nodeOptions: sls.provider?.environment?.NODE_OPTIONS ?? '' };
}

async function bundle(options: BuildOptions, esbuild: EsbuildSettings, outfile: string) {
  const result = await build({
    ...options,
    bundle: true,
    minify: esbuild.minify ?? false,
    keepNames: esbuild.keepNames ?? false,
    sourcemap: esbuild.sourcemap ?? false,
    target: esbuild.target ?? 'node24',
    platform: esbuild.platform ?? 'node',
    format: esbuild.format ?? 'cjs',
    ...(esbuild.mainFields ? { mainFields: esbuild.mainFields } : {}),
    outfile,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => !file.endsWith('.map'))?.[1];
  // Only modules that put code in the bundle: the metafile also lists files tree-shaken to nothing.
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  return { bytes: statSync(outfile).size, inputs };
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

/** Milliseconds to require the bundle in a fresh Node 24 process, as the Lambda runtime loads a handler. */
function timeRequire(file: string, nodeOptions: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const run = spawnSync(node24, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_OPTIONS: nodeOptions, HOME: tmpdir() },
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`requiring ${basename(file)} failed: ${run.stderr.slice(0, 500)}`);
  return Number(run.stdout);
}

/**
 * Scenario 5: per function in handlers/, the production bundle (serverless.yml's esbuild settings)
 * and a naive one: the same handler plus what a first implementation would have at the top of
 * the file, i.e. the aggregated SDK client (every command) of each AWS service it uses, built at
 * module load, and @kubernetes/client-node with a KubeConfig. Module initialisation = the time
 * to require the bundle in a fresh `node` 24, median of `runs` processes, alternating.
 */
export async function coldStartScenario(runs = 15) {
  const { esbuild, nodeOptions } = productionSettings();
  const out = mkdtempSync(join(tmpdir(), 'eks-access-sync-coldstart-'));
  const result: Record<string, unknown> = {};
  try {
    const handlers = readdirSync(join(root, 'handlers')).filter((f) => f.endsWith('.ts'));
    for (const file of handlers) {
      const fn = basename(file, '.ts').replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      const ext = esbuild.outputFileExtension ?? '.js';
      const ours = await bundle(
        { entryPoints: [join(root, 'handlers', file)] },
        esbuild,
        join(out, `${fn}${ext}`),
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
      // What-if: the same with esbuild preferring packages' ES module builds (tree-shakeable).
      const esmFirst = { ...esbuild, mainFields: ['module', 'main'] };
      const alreadyEsmFirst = esbuild.mainFields?.[0] === 'module';
      const oursEsm = await bundle(
        { entryPoints: [join(root, 'handlers', file)] },
        esmFirst,
        join(out, `${fn}-esm-first${ext}`),
      );
      progress(
        'coldStart',
        `${fn}: ${round(ours.bytes / 1e3)} kB vs naive ${round(naive.bytes / 1e3)} kB; timing ${runs}× each`,
      );
      const timings = {
        ours: [] as number[],
        naive: [] as number[],
        oursNoMaps: [] as number[],
        naiveNoMaps: [] as number[],
        oursEsmFirst: [] as number[],
      };
      const tick = counter('coldStart', `${fn} requires`, runs, 5);
      for (let i = 0; i < runs; i++) {
        timings.ours.push(timeRequire(join(out, `${fn}${ext}`), nodeOptions));
        timings.naive.push(timeRequire(join(out, `${fn}-naive${ext}`), nodeOptions));
        timings.oursNoMaps.push(timeRequire(join(out, `${fn}${ext}`), ''));
        timings.naiveNoMaps.push(timeRequire(join(out, `${fn}-naive${ext}`), ''));
        if (!alreadyEsmFirst)
          timings.oursEsmFirst.push(timeRequire(join(out, `${fn}-esm-first${ext}`), nodeOptions));
        tick();
      }
      const median = (xs: number[]) => percentile(xs, 50);
      const initRatio = median(timings.ours) / median(timings.naive);
      result[fn] = {
        bundleBytes: ours.bytes,
        initMs: round(median(timings.ours)),
        naiveBundleBytes: naive.bytes,
        naiveInitMs: round(median(timings.naive)),
        initRatio: round(initRatio, 3),
        withoutSourceMaps: {
          initMs: round(median(timings.oursNoMaps)),
          naiveInitMs: round(median(timings.naiveNoMaps)),
          initRatio: round(median(timings.oursNoMaps) / median(timings.naiveNoMaps), 3),
        },
        ...(alreadyEsmFirst
          ? {}
          : {
              whatIfMainFieldsModuleFirst: {
                esbuild: 'custom.esbuild.mainFields: [module, main] (not what serverless.yml says today)',
                bundleBytes: oursEsm.bytes,
                initMs: round(median(timings.oursEsmFirst)),
                initRatio: round(median(timings.oursEsmFirst) / median(timings.naive), 3),
              },
            }),
        sdkClients: sdkPackages,
        naiveAdds: [
          ...clients.map((c) => `${c.pkg} ${c.name} (aggregated client)`),
          '@kubernetes/client-node (KubeConfig)',
        ],
        targetsMet: { bundleAtMost1MB: ours.bytes <= megabyte, initAtMostHalfOfNaive: initRatio <= 0.5 },
      };
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return {
    ...result,
    notes: `Bundled with serverless.yml custom.esbuild ${JSON.stringify(esbuild)}; bundleBytes is the ${esbuild.outputFileExtension ?? '.js'} file (the source map is a separate file). Init times are medians over ${runs} fresh \`node\` ${spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim()} processes each requiring the bundle, with the functions' NODE_OPTIONS (${JSON.stringify(nodeOptions)}), and again without it. 1 MB = 1,000,000 bytes.`,
  };
}
