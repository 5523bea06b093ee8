import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { stringify } from 'yaml';
import { kubeApis, requestCounter } from '../src/adapters/kubernetes/kube-api';
import { progress, round } from './progress';
import type { World } from './world';

const clusters = ['rot-east', 'rot-west', 'rot-staging'];

async function rotationModules() {
  const [deps, runtime, environment, useCase, secrets, accounts, review, kubeconfig] = await Promise.all([
    import('../src/wiring/rotate-tokens-deps'),
    import('../src/wiring/runtime'),
    import('../src/wiring/environment'),
    import('../src/app/rotation/rotate-tokens'),
    import('../src/adapters/secrets-store'),
    import('../src/adapters/kubernetes/service-accounts'),
    import('../src/adapters/kubernetes/self-subject-review'),
    import('../src/domain/rotation/kubeconfig'),
  ]);
  return {
    rotateTokensDeps: deps.rotateTokensDeps,
    readRuntime: runtime.readRuntime,
    readEnvironment: environment.readEnvironment,
    rotateTokens: useCase.rotateTokens,
    secretsStore: secrets.secretsStore,
    externalAccess: accounts.externalAccess,
    identify: review.identify,
    parseKubeconfig: kubeconfig.parseKubeconfig,
  };
}

/**
 * Scenario 6: 300 external users, 100 on each of 3 clusters, through rotateTokens with the
 * function's own deps (src/lambda/deps.ts rotateTokensDeps, sandbox stage), Secrets Manager and
 * kube clients counted. Run 1 issues every kubeconfig; run 2 is the schedule 17 h later (clock
 * injected), when every token has less than rotateBefore (8 h) left, so all 300 rotate:
 * AWSPENDING → tested with SelfSubjectReview → AWSCURRENT. Meanwhile consumers keep reading
 * AWSCURRENT and using it against the apiserver; a consumer that gets a kubeconfig that does not
 * work (401, or another identity) is a broken read.
 */
export async function rotationScenario(world: World, users = 300) {
  // Imported here, not at the top: the rotation code is still moving, and a missing module must
  // cost this scenario, not the whole bench.
  let modules: Awaited<ReturnType<typeof rotationModules>>;
  try {
    modules = await rotationModules();
  } catch (error) {
    return {
      users,
      status: `not measured: the rotation code could not be loaded: ${(error as Error).message}`,
    };
  }
  const {
    rotateTokensDeps,
    readRuntime,
    readEnvironment,
    rotateTokens,
    secretsStore,
    externalAccess,
    identify,
    parseKubeconfig,
  } = modules;
  type Summary = { users: { user: string; cluster: string; status: string; reason?: string }[] };

  const dir = mkdtempSync(join(tmpdir(), 'eks-access-sync-bench-rotation-'));
  try {
    const people = Array.from({ length: users }, (_, i) => ({
      name: `partner-${String(i).padStart(3, '0')}`,
      cluster: clusters[i % clusters.length] as string,
    }));
    const configFile = join(dir, 'access.yaml');
    writeFileSync(
      configFile,
      stringify({
        clusters: clusters.map((name) => ({ name, region: 'us-east-1' })),
        externalUsers: people.map((p) => ({
          name: p.name,
          clusters: [p.cluster],
          namespace: `ext-${p.cluster}`,
          clusterRole: 'system:aggregate-to-view',
          tokenLifetime: '24h',
          rotateBefore: '8h',
        })),
      }),
    );
    const envFile = join(dir, 'env.json');
    writeFileSync(envFile, JSON.stringify(world.env), { mode: 0o600 });

    const smClient = new SecretsManagerClient({
      region: world.env.aws.region,
      maxAttempts: 5,
      endpoint: world.env.aws.endpoint,
      credentials: { accessKeyId: world.env.aws.accessKeyId, secretAccessKey: world.env.aws.secretAccessKey },
    });
    let smRequests = 0;
    smClient.middlewareStack.add(
      (next) => async (args) => {
        smRequests++;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'benchSecretsCount' },
    );
    const kubes: ReturnType<typeof requestCounter>[] = [];
    let identifies = 0;
    const base = rotateTokensDeps(
      readRuntime(readEnvironment({ ACCESS_CONFIG_PATH: configFile, SANDBOX_ENV_FILE: envFile })),
    );
    const deps = (hoursLater: number): typeof base => ({
      ...base,
      secrets: secretsStore(smClient),
      externalAccess: (cluster, endpoint) => {
        const counted = requestCounter();
        kubes.push(counted);
        return externalAccess(kubeApis(endpoint, { middleware: [counted.middleware] }), cluster);
      },
      identify: async (endpoint) => {
        identifies++;
        return identify(endpoint);
      },
      clock: { now: () => new Date(Date.now() + hoursLater * 3_600_000) },
    });
    const counts = () => ({
      secretsManager: smRequests,
      kube: kubes.reduce((s, k) => s + k.requests, 0) + identifies,
    });

    const run = async (label: string, hoursLater: number) => {
      const before = counts();
      progress('rotation', `${label}: ${users} users on ${clusters.length} clusters`);
      const started = performance.now();
      const summary = (await rotateTokens(deps(hoursLater))({ kind: 'schedule', why: 'bench' })) as Summary;
      const wallMs = performance.now() - started;
      const after = counts();
      const statuses: Record<string, number> = {};
      for (const u of summary.users) statuses[u.status] = (statuses[u.status] ?? 0) + 1;
      progress('rotation', `${label}: ${round(wallMs / 1000, 1)} s ${JSON.stringify(statuses)}`);
      return {
        wallMs: round(wallMs),
        statuses,
        errors: summary.users
          .filter((u) => u.status === 'error')
          .slice(0, 5)
          .map((u) => `${u.user}@${u.cluster}: ${u.reason}`),
        secretsManagerRequests: after.secretsManager - before.secretsManager,
        kubeRequests: after.kube - before.kube,
      };
    };

    // A consumer of the secret: reads AWSCURRENT, uses it as kubectl would (server, CA, token).
    const reader = new SecretsManagerClient({
      region: world.env.aws.region,
      endpoint: world.env.aws.endpoint,
      credentials: { accessKeyId: world.env.aws.accessKeyId, secretAccessKey: world.env.aws.secretAccessKey },
    });
    const consume = async (p: (typeof people)[number]): Promise<boolean> => {
      try {
        const { SecretString } = await reader.send(
          new GetSecretValueCommand({
            SecretId: `eks-access-sync/${p.cluster}/${p.name}`,
            VersionStage: 'AWSCURRENT',
          }),
        );
        const kc = parseKubeconfig(SecretString ?? '');
        const { authentication } = kubeApis({ server: kc.server, caData: kc.caData, token: kc.token });
        const review = await authentication.createSelfSubjectReview({
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        });
        return review?.status?.userInfo?.username === `system:serviceaccount:ext-${p.cluster}:${p.name}`;
      } catch {
        return false;
      }
    };

    const issue = await run('run 1 (first kubeconfigs)', 0);
    let stop = false;
    const reads = { total: 0, broken: 0 };
    const consumers = Array.from({ length: 2 }, async () => {
      while (!stop) {
        const p = people[Math.floor(Math.random() * people.length)] as (typeof people)[number];
        reads.total++;
        if (!(await consume(p))) reads.broken++;
        await sleep(10);
      }
    });
    const rotation = await run('run 2 (17 h later: every token rotates)', 17);
    stop = true;
    await Promise.all(consumers);
    progress('rotation', `checking every AWSCURRENT once more`);
    let brokenAfter = 0;
    for (const p of people) if (!(await consume(p))) brokenAfter++;
    const rotated = rotation.statuses.rotated ?? 0;
    return {
      users,
      clusters: clusters.length,
      wallMs: rotation.wallMs,
      rotated,
      secretsManagerRequests: rotation.secretsManagerRequests,
      kubeRequests: rotation.kubeRequests,
      brokenCurrentReads: reads.broken + brokenAfter,
      consumerReadsDuringRotation: reads.total,
      brokenReadsDuringRotation: reads.broken,
      brokenAfterRotation: brokenAfter,
      firstIssue: issue,
      rotation,
      notes:
        "Three clusters are three config names on the one sandbox apiserver (users 100 each, own namespaces). Requests: Secrets Manager requests counted on the wire (retries included); kube requests = every request of the external-access kube clients plus one per SelfSubjectReview test. Consumers: two loops reading a random user's AWSCURRENT and calling SelfSubjectReview with it, during run 2, then every user once after it.",
      targetsMet: {
        everyUserRotated: rotated === users,
        noBrokenCurrentReads: reads.broken + brokenAfter === 0,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
