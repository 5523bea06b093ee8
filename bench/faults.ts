import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { progress } from './progress';

const root = resolve(import.meta.dirname, '..');

/** The fault suites: ours (each test records how many faults it injects) and the rotation engineer's fault tests. */
const ownSuites = ['test/unit/faults', 'test/integration/faults'];
const rotationFaultFiles = [
  'test/integration/rotation.test.ts',
  'test/integration/rotation-steps.test.ts',
  'test/unit/rotation/rotate-tokens.test.ts',
];
/** Rotation tests that inject a fault (a failing step, a revoked or foreign version); one fault each. */
const rotationFaultTitle = /fails|refuses to (continue|promote)|leaves AWSCURRENT|denied|forbidden/i;

interface JsonReport {
  testResults: {
    name: string;
    assertionResults: {
      title: string;
      fullName: string;
      status: string;
      duration?: number;
      failureMessages: string[];
      meta?: { faultsInjected?: number };
    }[];
  }[];
}

/**
 * Runs the fault suite (it is also part of `npm test`) with vitest's JSON reporter and counts:
 * injected = the faults each of our tests says it injected (stopped apiservers, 409s, throttled
 * calls, failed pages, fuzzed inputs), plus one per rotation fault test; survived = the same,
 * counted only for tests that passed (a failed fuzz test counts none of its inputs as survived).
 */
export async function faultSuite() {
  const out = mkdtempSync(join(tmpdir(), 'eks-access-sync-faults-'));
  const report = join(out, 'faults.json');
  const files = [...ownSuites, ...rotationFaultFiles.filter((f) => existsSync(join(root, f)))];
  progress('faults', `vitest run ${files.join(' ')}`);
  const started = Date.now();
  const run = spawnSync(
    join(root, 'node_modules/.bin/vitest'),
    ['run', ...files, '--reporter=json', `--outputFile=${report}`],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 900_000,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  try {
    if (!existsSync(report)) {
      return {
        status: `not measured: vitest wrote no report (exit ${run.status}): ${run.stderr.slice(-1000)}`,
      };
    }
    const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
    const tests = json.testResults.flatMap((file) =>
      file.assertionResults.map((t) => ({ file: relative(root, file.name), ...t })),
    );
    const counted = tests
      .map((t) => {
        const own = ownSuites.some((s) => t.file.startsWith(s));
        const injected = own ? (t.meta?.faultsInjected ?? 1) : rotationFaultTitle.test(t.title) ? 1 : 0;
        return { ...t, own, injected, survived: t.status === 'passed' ? injected : 0 };
      })
      .filter((t) => t.injected > 0);
    const sum = (xs: typeof counted, k: 'injected' | 'survived') => xs.reduce((s, t) => s + t[k], 0);
    const group = (pick: (t: (typeof counted)[number]) => boolean) => {
      const xs = counted.filter(pick);
      return {
        tests: xs.length,
        passed: xs.filter((t) => t.status === 'passed').length,
        injected: sum(xs, 'injected'),
        survived: sum(xs, 'survived'),
      };
    };
    progress(
      'faults',
      `${counted.filter((t) => t.status === 'passed').length}/${counted.length} fault tests passed`,
    );
    return {
      injected: sum(counted, 'injected'),
      survived: sum(counted, 'survived'),
      tests: counted.length,
      testsPassed: counted.filter((t) => t.status === 'passed').length,
      byKind: {
        kubeApiserverStoppedOrHung: group((t) => t.file.includes('kube-restart')),
        conflictStorm: group((t) => t.file.includes('conflict-storm')),
        iamThrottlingAndFailedPages: group((t) => t.file.includes('iam-faults')),
        fuzzedMalformedInputs: group((t) => t.file.includes('malformed-inputs')),
        rotation: group((t) => !t.own),
      },
      perTest: counted.map((t) => ({
        test: `${t.file}: ${t.title}`,
        status: t.status,
        injected: t.injected,
        ...(t.failureMessages.length > 0 ? { failure: t.failureMessages[0]?.split('\n')[0] } : {}),
      })),
      wallMs: Date.now() - started,
      notes:
        "injected counts single faults: one stopped or hung apiserver, one 409 from a concurrent writer, one throttled IAM answer, one failed page, one fuzzed input (fast-check, fixed seeds, so every run injects the same inputs). survived counts them only for passing tests: a passing test asserted a clear error (a class, with a message) or a converged result, and that no entry was lost. Rotation fault tests are the rotation engineer's (their titles match failing steps, revoked or foreign versions), one fault each.",
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
