import { describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';

function issuesOf(text: string): string[] {
  try {
    parseAccessConfig(text);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const clusters = `
clusters:
  - name: prod
    region: us-east-1
`;

describe('the bootstrap section and access policies in access.yaml', () => {
  it('fills in the defaults: 5-minute looks, giving up after 45 minutes, 30 days to recover secrets', () => {
    const config = parseAccessConfig(`${clusters}bootstrap: {}\n`);

    expect(config.bootstrap).toEqual({
      selectors: [],
      rbac: { clusterRoles: [], bindings: [] },
      recheckEvery: 300,
      giveUpAfter: 2700,
      secretRecoveryDays: 30,
    });
    expect(config.clusters[0]?.backend).toBe('configMap');
  });

  it('reads access policies on mappings and the migrate backend', () => {
    const config = parseAccessConfig(`
clusters:
  - name: prod
    region: us-east-1
    backend: migrate
groups:
  - iamGroup: eks-readers
    kubernetesGroups: [viewers]
    accessPolicies:
      - policy: AmazonEKSViewPolicy
      - policy: AmazonEKSEditPolicy
        scope: { namespaces: [dev, 'team-*'] }
`);

    expect(config.clusters[0]?.backend).toBe('migrate');
    expect(config.groups[0]?.accessPolicies).toEqual([
      { policy: 'AmazonEKSViewPolicy', scope: 'cluster' },
      { policy: 'AmazonEKSEditPolicy', scope: { namespaces: ['dev', 'team-*'] } },
    ]);
  });

  it('reports every bad key of the bootstrap section at once, each with its line', () => {
    const issues = issuesOf(`${clusters}groups:
  - iamGroup: eks-readers
    kubernetesGroups: [viewers]
    accessPolicies: [{ policy: ClusterAdmin }]
bootstrap:
  selectors:
    - regions: [us-east-1]
    - namePattern: team-*
      accounts: ['12345']
      roleArn: arn:aws:sts::123456789012:assumed-role/x/y
  rbac:
    clusterRoles:
      - name: reader
        rules: [{ resources: [pods], verbs: [] }]
    bindings:
      - group: readers
        clusterRole: reader
        namespaces: [Not_A_Namespace]
  recheckEvery: 30m
  giveUpAfter: soon
  secretRecoveryDays: 3
`);

    expect(issues).toEqual([
      expect.stringMatching(
        /^groups\[0\]\.accessPolicies\[0\]\.policy \(line 8\): not an EKS access policy name/,
      ),
      expect.stringMatching(/^bootstrap\.selectors\[0\] \(line 11\): a selector needs a namePattern or tags/),
      expect.stringMatching(
        /^bootstrap\.selectors\[1\]\.accounts\[0\] \(line 13\): not a 12-digit AWS account id/,
      ),
      expect.stringMatching(/^bootstrap\.selectors\[1\]\.roleArn \(line 14\): .*STS session ARN/),
      expect.stringMatching(/^bootstrap\.rbac\.clusterRoles\[0\]\.rules\[0\]\.verbs \(line 18\)/),
      expect.stringMatching(
        /^bootstrap\.rbac\.bindings\[0\]\.namespaces\[0\] \(line 22\): not a DNS-1123 label/,
      ),
      expect.stringMatching(/^bootstrap\.giveUpAfter \(line 24\): soon is not a duration/),
      expect.stringMatching(/^bootstrap\.secretRecoveryDays \(line 25\)/),
    ]);
  });

  it('keeps re-checks within what an SQS delay allows', () => {
    expect(issuesOf(`${clusters}bootstrap: { recheckEvery: 30m }\n`)).toEqual([
      expect.stringMatching(/^bootstrap\.recheckEvery.*at most 15 minutes/),
    ]);
  });
});
