import { clusterAccess } from '../src/adapters/cluster-access';
import { syncCluster } from '../src/app/sync/sync-cluster';
import { ownedAnnotation } from '../src/domain/aws-auth/ownership';
import type { ClusterConfig } from '../src/domain/config/config';
import { progress } from './progress';
import { configFrom, personNames, userArn, type World } from './world';

/** Kubernetes' limit on the total size of an object's annotations (apimachinery TotalAnnotationSizeLimitB). */
const annotationLimit = 256 * 1024;
/** Kubernetes' limit on a ConfigMap's data. */
const dataLimit = 1024 * 1024;

/**
 * How many users the tool can own in one aws-auth. Every owned entry is listed in the owned-entries
 * annotation (its name under its account's ARN prefix, and an 8-character digest); Kubernetes refuses
 * an object whose annotations exceed 256 KiB. The rollback record is data of its own ConfigMap
 * (1 MiB), not an annotation. Measured with real writes just under and just over the computed limit.
 */
export async function capacityScenario(world: World) {
  const namespace = 'bench-capacity';
  await world.cluster(namespace);
  const config = configFrom(['capacity'], [{ name: 'capacity-group', kubernetesGroup: 'team' }]);
  const cluster = config.clusters[0] as ClusterConfig;
  const deps = {
    config,
    clusters: clusterAccess({
      staticEndpoint: {
        server: world.env.kube.server,
        caData: world.env.kube.caData,
        token: world.env.kube.adminToken,
      },
      awsAuthNamespace: () => namespace,
    }),
  };
  const sync = async (users: number) => {
    const names = personNames(users);
    const members = new Map([['capacity-group', names.map((u) => ({ userName: u, arn: userArn(u) }))]]);
    progress('capacity', `one aws-auth owning ${users} users`);
    const result = await syncCluster(deps, cluster, { apply: true, force: false, members });
    const cm = await world.readAwsAuth(namespace);
    const annotation = cm?.metadata.annotations?.[ownedAnnotation] ?? '';
    return {
      users,
      status: result.status,
      ...(result.reason ? { reason: result.reason.slice(0, 300) } : {}),
      ownedAnnotationBytes: Buffer.byteLength(annotation),
      dataBytes: Object.values(cm?.data ?? {}).reduce((s, v) => s + Buffer.byteLength(v), 0),
    };
  };
  const probe = await sync(4000);
  const avgArn = personNames(4000).reduce((s, n) => s + userArn(n).length, 0) / 4000;
  // aws-auth's other annotations (last-write id, kubectl's) need a little room too.
  const perKey = probe.ownedAnnotationBytes / 4000;
  const byAnnotation = Math.floor((annotationLimit - 1024) / perKey);
  // Each entry as the tool writes it (double-quoted, groups one per line) in the ConfigMap's data.
  const perEntry = probe.dataBytes / 4000;
  const byData = Math.floor((dataLimit - 4096) / perEntry);
  const limit = Math.min(byAnnotation, byData);
  const under = await sync(limit - 150);
  const over = await sync(limit + 150);
  const next = await sync(limit + 151);
  // `"name":"digest8",` under the 31-character `arn:aws:iam::123456789012:user/` written once.
  const forArnLength = (arnLength: number) => Math.floor((annotationLimit - 1024) / (arnLength - 31 + 14));
  return {
    annotationLimitBytes: annotationLimit,
    configMapDataLimitBytes: dataLimit,
    averageUserArnLength: Math.round(avgArn * 10) / 10,
    computedMaxOwnedUsers: limit,
    computedMaxOwnedUsersByAnnotation: byAnnotation,
    computedMaxOwnedUsersByData: byData,
    computedMaxOwnedUsersByArnLength: {
      '40 (arn:aws:iam::123456789012:user/ + 9-char names)': forArnLength(40),
      [`${Math.round(avgArn)} (this bench's first.last names)`]: forArnLength(Math.round(avgArn)),
      '60 (e-mail-style names, ~29 chars)': forArnLength(60),
      '80 (user paths such as /engineering/platform/)': forArnLength(80),
    },
    measured: [probe, under, over, next],
    targetsMet: { fiveThousandUsersFit: limit >= 5000, tenThousandUsersFit: limit >= 10_000 },
    limitedBy: byData < byAnnotation ? 'the ConfigMap data (1 MiB)' : 'the annotations (256 KiB)',
    note: 'Writes over the limit fail with 422 (data or annotations too long): the sync reports an error and writes nothing, so nothing is lost, but the cluster stops syncing. The owned-entries annotation (src/domain/aws-auth/ownership.ts) grows with every owned entry by its name plus 14 bytes; the first format (bare ARN keys, copied JSON-escaped into the backup annotations) cost about 20 bytes more per entry, which made the annotation the tighter limit (about 5,000 users); now the data itself is.',
  };
}
