import { syncAccessHandler } from '../src/lambda/sync-access-handler';
import { deltas, total } from './kube-tally';
import { iamPageSize } from './paged-iam';
import { progress, round } from './progress';
import { clusterNames, namespaceOf, type ScaleWorld } from './scale-world';
import { expectedUsers, handUserArn, missingEntries, nodeRoleArns } from './world';

const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

/**
 * Scenario 1: the scheduled full reconcile of 3 clusters from 100 groups, through the handler
 * with the production adapters; then the same again, which must write nothing.
 */
export async function reconcileScenario(scale: ScaleWorld, seeded: { memberships: number; seedMs: number }) {
  const groupSizes = [...scale.members.values()].map((s) => s.size);
  const groupPages = groupSizes.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / iamPageSize)), 0);

  const run = async (label: string) => {
    const { deps, iam, iamWire } = scale.world.deps(scale.config, namespaceOf, scale.tallies);
    const handle = syncAccessHandler(() => deps);
    const before = scale.tallySnapshot();
    progress('reconcile', `${label}: reconciling ${clusterNames.length} clusters`);
    const started = performance.now();
    const result = await handle(scheduled);
    const wallMs = performance.now() - started;
    const after = scale.tallySnapshot();
    const perCluster = deltas(after, before);
    const statuses =
      'clusters' in result
        ? result.clusters.map((c) => `${c.cluster}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`)
        : [JSON.stringify(result)];
    progress('reconcile', `${label}: ${round(wallMs / 1000, 2)} s; ${statuses.join('; ')}`);
    return { wallMs, iamRequests: iam.requests, iamHttpRequests: iamWire.httpRequests, perCluster, statuses };
  };

  const first = await run('first reconcile');
  const second = await run('second reconcile');

  const members = scale.membersMap();
  const sizes: Record<string, unknown> = {};
  let lost = 0;
  for (const c of clusterNames) {
    const cm = await scale.world.readAwsAuth(namespaceOf(c));
    const check = missingEntries(cm?.data, expectedUsers(scale.config, c, members), [
      ...nodeRoleArns,
      handUserArn,
    ]);
    lost += check.missing.length + check.wrong.length + check.extra.length;
    const annotations = cm?.metadata.annotations ?? {};
    sizes[c] = {
      entries: check.entries,
      dataBytes: Object.values(cm?.data ?? {}).reduce((s, v) => s + Buffer.byteLength(v), 0),
      annotationBytes: Object.entries(annotations).reduce(
        (s, [k, v]) => s + k.length + Buffer.byteLength(v),
        0,
      ),
    };
  }
  const first_ = first.perCluster;
  const second_ = second.perCluster;
  const targets = {
    iamRequestsAtMostOnePerGroupPage: first.iamRequests <= groupPages,
    oneReadPerCluster: Object.values(first_).every((t) => t.reads === 1),
    atMostOneWritePerCluster: Object.values(first_).every((t) => t.writes <= 1 && t.writeAttempts <= 1),
    secondReconcileWritesNothing: Object.values(second_).every((t) => t.writeAttempts === 0),
    awsAuthEqualsIam: lost === 0,
  };
  return {
    users: scale.users.length,
    groups: scale.groups.length,
    clusters: clusterNames.length,
    memberships: seeded.memberships,
    iamGroupPages: groupPages,
    iamRequests: first.iamRequests,
    iamHttpRequests: first.iamHttpRequests,
    kubeRequests: total(first_, 'requests'),
    reads: total(first_, 'reads'),
    writes: total(first_, 'writes'),
    backupWrites: total(first_, 'backups'),
    repeatWrites: total(second_, 'writeAttempts'),
    wallMs: round(first.wallMs),
    repeat: {
      wallMs: round(second.wallMs),
      iamRequests: second.iamRequests,
      kubeRequests: total(second_, 'requests'),
    },
    perCluster: first_,
    statuses: first.statuses,
    awsAuthSize: sizes,
    entriesMissingOrWrong: lost,
    seedMs: seeded.seedMs,
    targetsMet: targets,
  };
}
