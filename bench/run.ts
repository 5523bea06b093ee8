import './quiet-logs';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { kubernetesVersion } from '../scripts/sandbox/kube';
import { awsAuthModelScenario } from './aws-auth-model';
import { burstScenario } from './burst';
import { capacityScenario } from './capacity';
import { coldStartScenario } from './cold-start';
import { eventFastPathScenario } from './event-fast-path';
import { faultSuite } from './faults';
import { fleetDiscoveryScenario } from './fleet-discovery';
import { iamPageSize } from './paged-iam';
import { progress } from './progress';
import { reconcileScenario } from './reconcile';
import { rotationScenario } from './rotation';
import { benchSandbox } from './sandbox';
import { ScaleWorld } from './scale-world';
import { vsPerIdentityScenario } from './vs-per-identity';
import { World } from './world';

/**
 * `npm run bench`: every scenario of issue 7, side by side in one run on a sandbox of its own,
 * written to bench/results.json. A benchmark, not a test: a missed target is reported, never fatal.
 * BENCH_USERS scales scenario 1 down for a quick try; results.json always says what was run.
 */
const out = resolve(import.meta.dirname, 'results.json');
const users = Number(process.env.BENCH_USERS ?? 5000);
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (name: string) => !only || only.includes(name);

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kubernetes: `kube-apiserver ${kubernetesVersion} (k8s.io/kubernetes, embedded etcd, one process) on loopback`,
    aws: 'moto server (IAM) on loopback',
  },
};
// Other work on the machine slows every number down: the load around each scenario is kept with it.
const load: Record<string, { before: number; after: number }> = {};
(results.environment as Record<string, unknown>).loadAverage1m = load;
const save = () => writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

async function scenario(name: string, run: () => Promise<unknown>): Promise<void> {
  if (!wanted(name)) return;
  progress(name, 'start');
  const started = Date.now();
  const before = loadavg()[0] ?? 0;
  try {
    results[name] = await run();
  } catch (error) {
    // One broken scenario must not hide the others' numbers.
    results[name] = { status: `failed: ${(error as Error).stack ?? String(error)}` };
    progress(name, `FAILED: ${(error as Error).message}`);
  }
  load[name] = { before: Math.round(before * 100) / 100, after: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  progress(name, `done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  save();
}

const { env, stop } = await benchSandbox();
try {
  const world = new World(env);
  const scale = new ScaleWorld(world);
  let seeded: Awaited<ReturnType<ScaleWorld['seed']>> | undefined;
  const seed = async () => {
    seeded ??= await scale.seed(users);
    return seeded;
  };
  results.notes = {
    clusters:
      "Three clusters are three namespaces on one real kube-apiserver (ClusterAccess.awsAuthNamespace), each with its own aws-auth and backup ConfigMap, reached through the production adapters (own kube client per cluster, TLS verified). The request counts are exactly those three apiservers would see; the wall times are if anything pessimistic, because the three share one apiserver, one etcd and the machine's CPUs with moto and the bench.",
    iamPagination: `moto answers GetGroup with every member in one page. The bench's IAM client (the production one: us-east-1, maxAttempts 5, pointed at moto) has a middleware that cuts each answer to the page IAM would return for the request's Marker (MaxItems ${iamPageSize}, IAM's default). Every page is still one real HTTP request to moto, so request counts and latencies are real; only the slicing is simulated. iamRequests counts the IAM calls the adapter made (one per command, by a middleware on that client, retries not included); iamHttpRequests counts what went on the wire (retries included).`,
    kubeRequests:
      'kubeRequests counts every HTTP request the aws-auth store made (by a client-node middleware on its clients): the GET of aws-auth, the PUT of the backup ConfigMap kept for rollback before every write attempt, and the PUT of aws-auth. reads/writes/backupWrites break it down.',
    logs: 'The handler logger is set to SILENT during the bench (POWERTOOLS_LOG_LEVEL) so that progress stays readable; the log calls still run.',
  };
  if (wanted('reconcile') || wanted('eventFastPath') || wanted('burst')) {
    await scenario('reconcile', async () => reconcileScenario(scale, await seed()));
  }
  await scenario('eventFastPath', async () => {
    await seed();
    return eventFastPathScenario(scale);
  });
  await scenario('burst', async () => {
    await seed();
    return burstScenario(scale);
  });
  await scenario('capacity', () => capacityScenario(world));
  await scenario('vsPerIdentity', () => vsPerIdentityScenario(world));
  await scenario('coldStart', () => coldStartScenario());
  await scenario('rotation', () => rotationScenario(world));
  await scenario('faults', () => faultSuite());
  await scenario('awsAuthModel', () => awsAuthModelScenario(env));
  await scenario('fleetDiscovery', () => fleetDiscoveryScenario());
} finally {
  results.finishedAt = new Date().toISOString();
  save();
  await stop();
  progress('bench', `results in ${out}`);
}
