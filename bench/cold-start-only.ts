import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { coldStartScenario } from './cold-start';

/**
 * `npm run bench:cold-start`: scenario 5 alone (no sandbox, a few minutes), its block in
 * bench/results.json replaced and dated; the other scenarios' figures stay as the last full run left them.
 */
const file = resolve(import.meta.dirname, 'results.json');
const load = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;
const before = load();
const coldStart = await coldStartScenario(Number(process.env.COLD_START_RUNS ?? 15));
const results = JSON.parse(readFileSync(file, 'utf8'));
results.coldStart = coldStart;
results.environment.loadAverage1m.coldStart = { before, after: load() };
results.environment.coldStartMeasuredAt = new Date().toISOString();
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
