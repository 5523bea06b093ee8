import { describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';
import { clustersOf, secretNameFor } from '../../../src/domain/rotation/external-users';

const clusters = `
clusters:
  - name: prod-east
    region: us-east-1
  - name: dev
    region: eu-west-1
`;

function issuesOf(users: string): { path: string; message: string }[] {
  try {
    parseAccessConfig(`${clusters}externalUsers:\n${users}`);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues;
  }
}

describe('externalUsers in access.yaml', () => {
  it('reads the example of the issue and fills in the defaults', () => {
    // Act
    const config = parseAccessConfig(`${clusters}
externalUsers:
  - name: partner-ci
    clusters: [prod-east]
    namespace: external-access
    clusterRole: edit
    tokenLifetime: 24h
    rotateBefore: 8h
  - name: auditor
    clusterRole: view
`);

    // Assess
    const [partner, auditor] = config.externalUsers;
    expect(partner).toMatchObject({ tokenLifetime: 86_400, rotateBefore: 28_800, clusterWide: false });
    expect(secretNameFor(partner as never, { name: 'prod-east', region: 'us-east-1' })).toBe(
      'eks-access-sync/prod-east/partner-ci',
    );
    expect(auditor).toMatchObject({
      namespace: 'external-access',
      tokenLifetime: 86_400,
      rotateBefore: 28_800,
    });
    expect(clustersOf(auditor as never, ['prod-east', 'dev'])).toEqual(['prod-east', 'dev']);
  });

  it('defaults to no external users', () => {
    expect(parseAccessConfig(clusters).externalUsers).toEqual([]);
  });

  it('reports every problem at once, each at its path', () => {
    // Act
    const issues = issuesOf(`
  - name: Partner_CI
    namespace: external access
    clusterRole: edit
    tokenLifetime: 1day
  - name: ok
    clusters: [prod-west]
    clusterRole: edit
    tokenLifetime: 8h
    rotateBefore: 8h
  - name: short
    clusterRole: edit
    tokenLifetime: 5m
    rotateBefore: 1m
`);

    // Assess
    const paths = issues.map((i) => i.path.replace(/ \(line \d+\)$/, ''));
    expect(paths).toEqual(
      expect.arrayContaining([
        'externalUsers[0].name',
        'externalUsers[0].namespace',
        'externalUsers[0].tokenLifetime',
        'externalUsers[1].rotateBefore',
        'externalUsers[2].tokenLifetime',
      ]),
    );
    expect(issues.find((i) => i.path.startsWith('externalUsers[0].tokenLifetime'))?.message).toMatch(
      /1day is not a duration/,
    );
    expect(issues.find((i) => i.path.startsWith('externalUsers[1].rotateBefore'))?.message).toMatch(
      /less than tokenLifetime/,
    );
  });

  it('refuses a cluster the config does not list', () => {
    const issues = issuesOf(`
  - name: partner-ci
    clusters: [prod-west]
    clusterRole: edit
`);
    expect(issues).toEqual([expect.objectContaining({ message: 'no cluster named prod-west in clusters' })]);
    expect(issues[0]?.path).toMatch(/^externalUsers\[0\]\.clusters\[0\]/);
  });

  it('refuses cluster-admin unless allowClusterAdmin says it is meant', () => {
    expect(issuesOf('  - name: partner-ci\n    clusterRole: cluster-admin\n')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/set allowClusterAdmin: true/) }),
    ]);
    expect(
      issuesOf('  - name: partner-ci\n    clusterRole: cluster-admin\n    allowClusterAdmin: true\n'),
    ).toEqual([]);
  });

  it('refuses a user listed twice and one secret shared by two kubeconfigs', () => {
    const issues = issuesOf(`
  - name: partner-ci
    clusterRole: edit
    secretName: partner-kubeconfig
  - name: partner-ci
    clusters: [dev]
    clusterRole: view
`);
    const messages = issues.map((i) => i.message);
    expect(messages).toContain('partner-ci is listed twice');
    expect(messages.some((m) => /partner-kubeconfig would hold the kubeconfigs of both/.test(m))).toBe(true);
  });

  it('takes a secretName with the {cluster} placeholder for a user on several clusters', () => {
    const config = parseAccessConfig(
      `${clusters}externalUsers:\n  - name: partner-ci\n    clusterRole: edit\n    secretName: partners/{name}/{cluster}\n`,
    );
    const [user] = config.externalUsers;
    expect(
      ['prod-east', 'dev'].map((c) => secretNameFor(user as never, { name: c, region: 'us-east-1' })),
    ).toEqual(['partners/partner-ci/prod-east', 'partners/partner-ci/dev']);
  });
});
