import { parse, stringify } from 'yaml';
import { kubeApis, requestCounter } from '../src/adapters/kubernetes/kube-api';
import { syncAccessHandler } from '../src/lambda/sync-access-handler';
import type { KubeTally } from './kube-tally';
import { counter, progress, round } from './progress';
import {
  addUserToGroupEvent,
  configFrom,
  expectedUsers,
  missingEntries,
  nodeRoleArns,
  personNames,
  sqsRecord,
  userArn,
  type World,
} from './world';

/**
 * Scenario 4: 500 people onboarded to one cluster. The usual tool's way, as eksctl's
 * `create iamidentitymapping` does it (pkg/authconfigmap: Get the ConfigMap, unmarshal mapUsers,
 * append one identity, marshal, Update), once per identity, against our way: the same 500
 * AddUserToGroup events through the production path (SQS batches of 100, one invocation after
 * another, so ours gets no help from concurrency). Same sandbox, same starting aws-auth.
 */
export async function vsPerIdentityScenario(world: World, identities = 500, batchSize = 100) {
  const group = 'eks-onboarding';
  const users = personNames(identities, 40_000);
  await world.cluster('bench-vs-ours');
  await world.cluster('bench-vs-per-identity');
  await world.createGroups([group]);
  progress('vsPerIdentity', `creating ${identities} IAM users and adding them to ${group}`);
  await world.createUsers(users);
  for (const u of users) await world.addToGroup(u, group);
  const config = configFrom(['onboarding'], [{ name: group, kubernetesGroup: 'developers' }]);

  // The per-identity way.
  const counted = requestCounter();
  const kube = kubeApis(
    { server: world.env.kube.server, caData: world.env.kube.caData, token: world.env.kube.adminToken },
    { middleware: [counted.middleware] },
  ).core;
  const at = { name: 'aws-auth', namespace: 'bench-vs-per-identity' };
  const tick = counter('vsPerIdentity', 'per-identity mappings', identities);
  const perIdentityStart = performance.now();
  for (const user of users) {
    const cm = await kube.readNamespacedConfigMap(at);
    const mapUsers = (parse(cm.data?.mapUsers ?? '[]') as unknown[] | null) ?? [];
    mapUsers.push({ userarn: userArn(user), username: user, groups: ['developers'] });
    await kube.replaceNamespacedConfigMap({
      ...at,
      body: { ...cm, data: { ...cm.data, mapUsers: stringify(mapUsers) } },
    });
    tick();
  }
  const perIdentityMs = performance.now() - perIdentityStart;
  const perIdentityRequests = counted.requests;

  // Ours: the same onboardings as queued events, in full batches.
  const tallies = new Map<string, KubeTally>();
  const { deps, iam } = world.deps(config, () => 'bench-vs-ours', tallies);
  const handle = syncAccessHandler(() => deps);
  progress('vsPerIdentity', `ours: ${identities} events in batches of ${batchSize}`);
  const oursStart = performance.now();
  for (let i = 0; i < users.length; i += batchSize) {
    const records = users.slice(i, i + batchSize).map((u) => sqsRecord(addUserToGroupEvent(u, group)));
    await handle({ Records: records });
  }
  const oursMs = performance.now() - oursStart;
  const ours = tallies.get('onboarding')?.snapshot();
  const oursRequests = ours?.requests ?? 0;

  // Ours again, as the scheduled reconcile would pick the same 500 up (on a fresh copy).
  await world.cluster('bench-vs-ours-reconcile');
  const reconcileTallies = new Map<string, KubeTally>();
  const r = world.deps(config, () => 'bench-vs-ours-reconcile', reconcileTallies);
  const reconcileStart = performance.now();
  await syncAccessHandler(() => r.deps)({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
  const reconcileMs = performance.now() - reconcileStart;
  const reconcileRequests = reconcileTallies.get('onboarding')?.requests ?? 0;

  const expected = expectedUsers(config, 'onboarding', new Map([[group, users]]));
  const same = (ns: string) =>
    world.readAwsAuth(ns).then((cm) => {
      const check = missingEntries(cm?.data, expected, nodeRoleArns);
      return check.missing.length + check.wrong.length;
    });
  const requestRatio = perIdentityRequests / oursRequests;
  const timeRatio = perIdentityMs / oursMs;
  progress('vsPerIdentity', `requests ${round(requestRatio)}×, time ${round(timeRatio)}×`);
  return {
    identities,
    requestRatio: round(requestRatio, 1),
    timeRatio: round(timeRatio, 1),
    perIdentity: { kubeRequests: perIdentityRequests, wallMs: round(perIdentityMs), iamRequests: 0 },
    ours: {
      path: `SQS batches of ${batchSize} → syncAccessHandler, sequential`,
      kubeRequests: oursRequests,
      kubeBreakdown: ours,
      iamRequests: iam.requests,
      iamMsSummed: round(iam.ms),
      kubeMsSummed: ours ? round(ours.readMs + ours.backupMs + ours.writeMs) : undefined,
      wallMs: round(oursMs),
    },
    oursAsOneReconcile: {
      kubeRequests: reconcileRequests,
      iamRequests: r.iam.requests,
      wallMs: round(reconcileMs),
      requestRatio: round(perIdentityRequests / reconcileRequests, 1),
      timeRatio: round(perIdentityMs / reconcileMs, 1),
    },
    missingOrWrong: {
      perIdentity: await same('bench-vs-per-identity'),
      ours: await same('bench-vs-ours'),
      oursAsOneReconcile: await same('bench-vs-ours-reconcile'),
    },
    notes:
      "Both start from the same aws-auth (node roles, a break-glass user, mapAccounts). The per-identity way uses the same small kube client (keep-alive, TLS verified) and the yaml package for eksctl's unmarshal/append/marshal; it is charged nothing for the eksctl process start, DescribeCluster or token each real `eksctl create iamidentitymapping` pays, which favours it. Ours pays the IAM reads it needs (2 per user on the event path: ListGroupsForUser + GetUser) and its backup PUT; the per-identity way reads no IAM because a person typed the ARN.",
    targetsMet: { atLeast20xFewerRequests: requestRatio >= 20, atLeast10xFaster: timeRatio >= 10 },
  };
}
