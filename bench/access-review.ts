import './quiet-logs';
import { clusterAccess } from '../src/adapters/cluster-access';
import { accessReviewApi } from '../src/adapters/kubernetes/access-review-api';
import { kubeApis } from '../src/adapters/kubernetes/kube-api';
import type { AccessReviewApi } from '../src/app/review/review-ports';
import { runReview } from '../src/app/review/run-review';
import {
  emptyOwnership,
  encodeOwnership,
  entryDigest,
  ownedAnnotation,
} from '../src/domain/aws-auth/ownership';
import { accessConfigSchema } from '../src/domain/config/config';
import { benchSandbox } from './sandbox';
import { nodeRoles, userArn } from './world';

/**
 * `npx tsx bench/access-review.ts`: the access review of one cluster with 5,000 mapped users in 100
 * IAM groups, each group bound (RoleBinding) in a namespace of its own, on a sandbox of its own. The
 * SubjectAccessReviews are real (kube-apiserver); IAM's answers come from memory, as the number of
 * SARs, not IAM's speed, is measured here.
 */
const users = Number(process.env.BENCH_USERS ?? 5000);
const groups = Number(process.env.BENCH_GROUPS ?? 100);

const { env, stop } = await benchSandbox();
try {
  const endpoint = { server: env.kube.server, caData: env.kube.caData, token: env.kube.adminToken };
  const { core, rbac } = kubeApis(endpoint);
  const ns = 'bench-review';
  await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  const members: Record<string, { userName: string; arn: string }[]> = {};
  for (let i = 0; i < users; i++) {
    const team = `team-${i % groups}`;
    members[team] = [...(members[team] ?? []), { userName: `u${i}`, arn: userArn(`u${i}`) }];
  }
  await rbac.createClusterRole({
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'bench-review-edit' },
      rules: [{ apiGroups: ['', 'apps'], resources: ['secrets', 'deployments', 'pods/exec'], verbs: ['*'] }],
    },
  });
  for (const group of Object.keys(members)) {
    await core.createNamespace({
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${ns}-${group}` } },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: `${ns}-${group}`,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: group },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bench-review-edit' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      },
    });
  }
  const mapUsers = Object.entries(members)
    .flatMap(([g, us]) =>
      us.map((u) => `- userarn: ${u.arn}\n  username: ${u.userName}\n  groups:\n  - ${g}\n`),
    )
    .join('');
  // Claimed as sync claims them: each entry with the digest of what was written.
  const owned = emptyOwnership();
  for (const [g, us] of Object.entries(members)) {
    for (const u of us) {
      owned.mapUsers.set(
        u.arn.toLowerCase(),
        entryDigest({ section: 'mapUsers', arn: u.arn, username: u.userName, groups: [g] }),
      );
    }
  }
  await core.createNamespacedConfigMap({
    namespace: ns,
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', annotations: { [ownedAnnotation]: encodeOwnership(owned) } },
      data: { mapRoles: nodeRoles, mapUsers },
    },
  });
  const config = accessConfigSchema.parse({
    clusters: [{ name: 'bench', region: 'us-east-1' }],
    groups: Object.keys(members).map((g) => ({ iamGroup: g, kubernetesGroups: [g] })),
  });
  let sars = 0;
  let firstSar: number | undefined;
  let lastSar = 0;
  const counted = (api: AccessReviewApi): AccessReviewApi => ({
    ...api,
    allowed: async (subject, question) => {
      sars++;
      firstSar ??= performance.now();
      const answer = await api.allowed(subject, question);
      lastSar = performance.now();
      return answer;
    },
  });
  const started = performance.now();
  const [review] = await runReview({
    config,
    iam: { groupMembers: async (g) => members[g], userGroups: async () => undefined },
    principals: { uniqueId: async (arn) => `ID-${arn.name}` },
    clusters: clusterAccess({ staticEndpoint: endpoint, awsAuthNamespace: () => ns }),
    eks: {
      describe: async (c) => ({
        name: c.name,
        region: c.region,
        status: 'ACTIVE',
        authenticationMode: 'CONFIG_MAP',
        tags: {},
        partition: 'aws',
      }),
      accessEntries: async () => {
        throw new Error('CONFIG_MAP');
      },
    },
    reviewApi: (e) => counted(accessReviewApi(e)),
    clock: { now: () => new Date() },
  })({});
  const ms = Math.round(performance.now() - started);
  const subjects = new Set(review?.identities.map((i) => JSON.stringify(i.rights)));
  const result = {
    users,
    groups,
    identities: review?.identities.length,
    ownedIdentities: review?.identities.filter((i) => i.ours).length,
    subjectAccessReviews: sars,
    reportedSubjectAccessReviews: review?.accessReviews,
    distinctRightsRows: subjects.size,
    findings: review?.findings.length,
    error: review?.error,
    seconds: ms / 1000,
    secondsAskingTheCluster: Math.round(lastSar - (firstSar ?? lastSar)) / 1000,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await stop();
}
