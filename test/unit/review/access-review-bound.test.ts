import { describe, expect, it } from 'vitest';
import { runReview } from '../../../src/app/review/run-review';
import { accessConfigSchema } from '../../../src/domain/config/config';
import { clusterQuestions, maxQuestionsPerSubject } from '../../../src/domain/review/questions';
import { unnamedUser } from '../../../src/domain/review/subjects';
import { fakeReviewApi, reviewDeps } from './review-fakes';

const acct = '111122223333';
const userArn = (name: string) => `arn:aws:iam::${acct}:user/${name}`;

/** `users` IAM users spread over `groups` mapped IAM groups, each group its own Kubernetes group. */
function fleet(users: number, groups: number) {
  const members: Record<string, { userName: string; arn: string }[]> = {};
  for (let i = 0; i < users; i++) {
    const group = `team-${i % groups}`;
    members[group] ??= [];
    members[group].push({ userName: `user-${i}`, arn: userArn(`user-${i}`) });
  }
  const config = accessConfigSchema.parse({
    clusters: [{ name: 'prod', region: 'eu-west-1' }],
    groups: Object.keys(members).map((g) => ({ iamGroup: g, kubernetesGroups: [g] })),
  });
  return { config, members };
}

describe('access review: rights as the cluster decides them', () => {
  it('bounds the SubjectAccessReviews of 5,000 mapped users by their 100 group sets', async () => {
    const { config, members } = fleet(5000, 100);
    const mapUsers = Object.entries(members)
      .flatMap(([g, users]) =>
        users.map((u) => `- userarn: ${u.arn}\n  username: ${u.userName}\n  groups: [${g}]\n`),
      )
      .join('');
    const roleBindings = Object.keys(members).map((g) => ({
      namespace: `ns-${g}`,
      subjects: [{ kind: 'Group', name: g }],
    }));
    const allowedIn = Object.fromEntries(Object.keys(members).map((g) => [`ns-${g}/${g}`, ['secrets:get']]));
    const fake = fakeReviewApi({ admins: ['team-0'], roleBindings, allowedIn });

    const [review] = await runReview(reviewDeps({ config, awsAuth: { mapUsers }, members, api: fake.api }))();

    const subjects = new Set(fake.asked.map((a) => a.subject.key));
    expect(subjects.size).toBe(100);
    expect([...subjects].every((k) => k.startsWith(`${unnamedUser}\n`))).toBe(true);
    // team-0: cluster-admin answers everything (1); 99 others: 1 + 10 cluster-wide + 6 in their namespace
    const perSubject = 1 + clusterQuestions.length + 6;
    expect(review?.accessReviews).toBe(1 + 99 * perSubject);
    expect(review?.accessReviews).toBe(fake.asked.length);
    expect(fake.asked.length).toBeLessThanOrEqual(subjects.size * maxQuestionsPerSubject);
    expect(review?.identities).toHaveLength(5000);
    const u1 = review?.identities.find((i) => i.username === 'user-1');
    expect(u1?.rights).toEqual({
      clusterAdmin: false,
      clusterWide: [],
      namespaces: { 'ns-team-1': ['secrets:get'] },
      namespacesLeftOut: 0,
    });
    expect(review?.identities.find((i) => i.username === 'user-0')?.rights?.clusterAdmin).toBe(true);
  });

  it('asks about a user by name only where a binding names that user', async () => {
    const { config, members } = fleet(2, 1);
    const mapUsers = members['team-0']
      ?.map((u) => `- userarn: ${u.arn}\n  username: ${u.userName}\n  groups: [team-0]\n`)
      .join('');
    const fake = fakeReviewApi({
      allowed: { 'user-1': ['secrets:list'] },
      clusterRoleBindings: [{ namespace: '', subjects: [{ kind: 'User', name: 'user-1' }] }],
    });

    const [review] = await runReview(
      reviewDeps({ config, awsAuth: { mapUsers: mapUsers ?? '' }, members, api: fake.api }),
    )();

    expect(new Set(fake.asked.map((a) => a.subject.user))).toEqual(new Set([unnamedUser, 'user-1']));
    expect(fake.asked.every((a) => a.subject.groups.includes('system:authenticated'))).toBe(true);
    const rights = Object.fromEntries(
      review?.identities.map((i) => [i.username, i.rights?.clusterWide]) ?? [],
    );
    expect(rights).toEqual({ 'user-0': [], 'user-1': ['secrets:list'] });
  });

  it('asks in at most 20 bound namespaces per subject and says how many were left out', async () => {
    const { config, members } = fleet(1, 1);
    const roleBindings = Array.from({ length: 25 }, (_, i) => ({
      namespace: `ns-${String(i).padStart(2, '0')}`,
      subjects: [{ kind: 'Group', name: 'team-0' }],
    }));
    const fake = fakeReviewApi({ roleBindings });
    const mapUsers = `- userarn: ${userArn('user-0')}\n  username: user-0\n  groups: [team-0]\n`;

    const [review] = await runReview(reviewDeps({ config, awsAuth: { mapUsers }, members, api: fake.api }))();

    expect(review?.accessReviews).toBe(1 + clusterQuestions.length + 20 * 6);
    expect(review?.identities[0]?.rights?.namespacesLeftOut).toBe(5);
    expect(new Set(fake.asked.map((a) => a.question.namespace))).not.toContain('ns-24');
  });

  it('in API mode reads no aws-auth and lists access entries with their policies, asked about like any identity', async () => {
    const { config, members } = fleet(1, 1);
    const fake = fakeReviewApi({ admins: ['platform-admins'] });
    const entry = (name: string, groups: string[], policy: string) => ({
      principalArn: `arn:aws:iam::${acct}:role/${name}`,
      key: `arn:aws:iam::${acct}:role/${name.toLowerCase()}`,
      type: 'STANDARD',
      username: name,
      groups,
      tags: {},
      policies: [{ policy, scope: 'cluster' as const }],
    });

    const [review] = await runReview(
      reviewDeps({
        config,
        awsAuth: {},
        members,
        api: fake.api,
        mode: 'API',
        accessEntries: [
          entry('Admin', ['platform-admins'], 'AmazonEKSClusterAdminPolicy'),
          entry('Viewer', [], 'AmazonEKSViewPolicy'),
        ],
      }),
    )();

    expect(review?.error).toBeUndefined();
    expect(
      review?.identities.map((i) => [i.channel, i.username, i.accessPolicies, i.rights?.clusterAdmin]),
    ).toEqual([
      ['accessEntry', 'Admin', ['AmazonEKSClusterAdminPolicy(cluster)'], true],
      ['accessEntry', 'Viewer', ['AmazonEKSViewPolicy(cluster)'], false],
    ]);
    expect(review?.findings.map((f) => f.kind)).toEqual(['drift-missing']);
  });
});
