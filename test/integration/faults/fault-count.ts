import type { TestContext } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** How many faults this test injected (a stopped apiserver, a 409, a throttled call, a fuzzed input). */
    faultsInjected?: number;
  }
}

/**
 * Records on the test how many faults it injects; bench/faults.ts reads it from vitest's JSON
 * report and counts them as survived only when the test passed.
 */
export function injects(context: TestContext, count: number): void {
  context.task.meta.faultsInjected = (context.task.meta.faultsInjected ?? 0) + count;
}
