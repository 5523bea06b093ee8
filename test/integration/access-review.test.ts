import { CreateUserCommand, DeleteUserCommand, RemoveUserFromGroupCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { iamPrincipals } from '../../src/adapters/iam-principals';
import { AccessReviewApiError, accessReviewApi } from '../../src/adapters/kubernetes/access-review-api';
import type { EksClusters } from '../../src/app/access-entries/eks-ports';
import { runReview } from '../../src/app/review/run-review';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { kubeLabel, managedBy } from '../../src/domain/rotation/rotation-ownership';
import { iamClient } from '../support/aws-clients';
import { adminToken, rbacApi } from '../support/kube-clients';
import { sandbox } from '../support/sandbox';
import { nodeRoles, syncFixture } from '../support/sync-fixture';

const apply = { kind: 'reconcile', apply: true, force: false, why: 'test' } as const;

/** The cluster `one` of the fixture, in CONFIG_MAP mode (moto knows no such cluster). */
const configMapCluster: EksClusters = {
  describe: async (cluster) => ({
    name: cluster.name,
    region: cluster.region,
    status: 'ACTIVE',
    authenticationMode: 'CONFIG_MAP',
    tags: {},
    partition: 'aws',
  }),
  accessEntries: async () => {
    throw new Error('a CONFIG_MAP cluster has no access entries');
  },
};

describe('access review on the sandbox (real kube-apiserver answers SubjectAccessReviews, moto IAM)', () => {
  it('shows each identity with its source and the rights the cluster gives it, and the findings', async () => {
    // Prepare: ann admin, dan developer, rita reader (a group of its own), all synced into aws-auth
    const readers = `readers-${Math.random().toString(36).slice(2, 7)}`;
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan'], [readers]: ['rita'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    const rbac = rbacApi(adminToken());
    await rbac.createClusterRole({
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `${f.id}-pod-reader` },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${f.id}-readers` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${f.id}-pod-reader` },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: readers }],
      },
    });
    // The partner's ServiceAccount, as rotation makes it: secrets readable in its own namespace only
    const partnerNs = `${f.id}-partner`;
    await f.kube.createNamespace({
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: partnerNs } },
    });
    await f.kube.createNamespacedServiceAccount({
      namespace: partnerNs,
      body: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'partner-ci',
          labels: { [kubeLabel.managedBy]: managedBy, [kubeLabel.user]: 'partner-ci' },
        },
      },
    });
    await rbac.createClusterRole({
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `${f.id}-secret-reader` },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: partnerNs,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'partner-ci' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: `${f.id}-secret-reader`,
        },
        subjects: [{ kind: 'ServiceAccount', name: 'partner-ci', namespace: partnerNs }],
      },
    });
    // A system:masters user added by hand, and dan deleted from IAM since the last sync
    const hand = `arn:aws:iam::123456789012:user/${f.user('hand')}`;
    await iamClient().send(new CreateUserCommand({ UserName: f.user('hand') }));
    const cm = await f.readAwsAuth();
    if (!cm?.data) throw new Error('aws-auth was not written');
    cm.data.mapUsers = `${cm.data.mapUsers}- userarn: ${hand}\n  username: hand\n  groups: [system:masters]\n`;
    await f.replaceAwsAuth(cm);
    await iamClient().send(
      new RemoveUserFromGroupCommand({ GroupName: f.group('devs'), UserName: f.user('dan') }),
    );
    await iamClient().send(new DeleteUserCommand({ UserName: f.user('dan') }));

    const config = parseAccessConfig(
      f.configText({
        externalUsers: [
          {
            name: 'partner-ci',
            clusters: ['one'],
            namespace: partnerNs,
            clusterRole: `${f.id}-secret-reader`,
          },
        ],
      }),
    );
    const env = sandbox();

    // Act
    const [review] = await runReview({
      ...f.deps(),
      config,
      eks: configMapCluster,
      principals: iamPrincipals(iamClient(), async () => '123456789012'),
      reviewApi: accessReviewApi,
      clock: { now: () => new Date() },
    })({ cluster: 'one' });

    // Assess
    expect(review?.error).toBeUndefined();
    const byName = (username: string) => review?.identities.find((i) => i.username === username);
    expect(byName(f.user('ann'))).toMatchObject({
      channel: 'mapUsers',
      ours: true,
      sources: [`IAM group ${f.group('admins')}`],
      groups: ['system:masters'],
      rights: { clusterAdmin: true },
    });
    expect(byName(f.user('rita'))).toMatchObject({
      sources: [`IAM group ${f.group(readers)}`],
      groups: [readers],
    });
    expect(byName(f.user('rita'))?.rights?.clusterAdmin).toBe(false);
    expect(byName(f.user('rita'))?.rights?.clusterWide).not.toContain('secrets:get');
    expect(byName('hand')).toMatchObject({
      ours: false,
      sources: ['written by hand'],
      rights: { clusterAdmin: true },
    });
    const partner = byName(`system:serviceaccount:${partnerNs}:partner-ci`);
    expect(partner?.sources).toEqual(['external user partner-ci']);
    expect(partner?.rights).toMatchObject({ clusterAdmin: false, clusterWide: [] });
    expect(partner?.rights?.namespaces).toEqual({ [partnerNs]: ['secrets:get', 'secrets:list'] });

    const findings = review?.findings.map((x) => `${x.kind} ${x.subject}`) ?? [];
    expect(findings).toContain(`hand-written-system-masters ${hand.toLowerCase()}`);
    expect(findings).toContain(`principal-gone ${f.userArn('dan').toLowerCase()}`);
    expect(review?.accessReviews).toBeGreaterThan(0);
    expect(JSON.stringify(review)).not.toContain(env.kube.adminToken);
  });

  it('asks with the renewed token of a long review, not the one it started with', async () => {
    const env = sandbox();
    let renewed = 0;
    const api = accessReviewApi({
      server: env.kube.server,
      caData: env.kube.caData,
      token: 'k8s-aws-v1.expired-since-the-review-started',
      renewToken: async () => {
        renewed++;
        return env.kube.adminToken;
      },
    });

    const bindings = await api.clusterRoleBindings();

    expect(renewed).toBeGreaterThan(0);
    expect(bindings.length).toBeGreaterThan(0);
  });

  it('says the cluster refused the token, without the token, when it cannot ask', async () => {
    const env = sandbox();
    const token = 'k8s-aws-v1.not-a-token-the-cluster-knows';
    const api = accessReviewApi({ server: env.kube.server, caData: env.kube.caData, token });

    const error = await api.roleBindings().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(AccessReviewApiError);
    expect((error as Error).message).toBe(
      'listing RoleBindings: the apiserver answered 401 (Unauthorized: the function cannot reach the cluster)',
    );
    expect(
      JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack }),
    ).not.toContain(token);
  });
});
