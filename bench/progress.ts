/** Progress on stderr while the bench runs; stdout stays free for nothing but the caller's own use. */
const started = Date.now();

export function progress(scenario: string, message: string): void {
  const at = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${at}s] ${scenario}: ${message}\n`);
}

/** A counter that reports every `every` steps (and at the end) without flooding the terminal. */
export function counter(scenario: string, what: string, total: number, every = Math.ceil(total / 10)) {
  let done = 0;
  return () => {
    done++;
    if (done === total || done % every === 0) progress(scenario, `${what} ${done}/${total}`);
  };
}

/** Median and percentiles by nearest rank, for latency lists. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
