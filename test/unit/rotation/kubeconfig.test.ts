import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildKubeconfig,
  type Kubeconfig,
  KubeconfigParseError,
  parseKubeconfig,
} from '../../../src/domain/rotation/kubeconfig';

const token = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl';
const kubeconfig: Kubeconfig = {
  server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
  caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
  token,
  record: {
    cluster: 'prod-east',
    user: 'partner-ci',
    namespace: 'external-access',
    serviceAccount: 'partner-ci',
    serviceAccountUid: '6b1d8c8e-0000-4000-8000-000000000001',
    boundSecret: 'eks-access-sync-partner-ci-v1',
    versionId: 'v1',
    issuedAt: '2026-11-22T10:00:00.000Z',
    expiresAt: '2026-11-23T10:00:00.000Z',
  },
};

describe('kubeconfig', () => {
  it('carries the server, the cluster CA and the token, and never skips TLS verification', () => {
    // Act
    const yaml = parse(buildKubeconfig(kubeconfig));

    // Assess
    expect(yaml.clusters).toEqual([
      {
        name: 'prod-east',
        cluster: { server: kubeconfig.server, 'certificate-authority-data': kubeconfig.caData },
      },
    ]);
    expect(yaml.users).toEqual([{ name: 'partner-ci@prod-east', user: { token } }]);
    expect(yaml['current-context']).toBe('partner-ci@prod-east');
    expect(yaml.contexts[0].context).toEqual({
      cluster: 'prod-east',
      user: 'partner-ci@prod-east',
      namespace: 'external-access',
    });
    expect(JSON.stringify(yaml)).not.toContain('insecure-skip-tls-verify');
  });

  it('reads back what it wrote, the non-secret record included', () => {
    expect(parseKubeconfig(buildKubeconfig(kubeconfig))).toEqual(kubeconfig);
  });

  it('refuses a kubeconfig that skips TLS verification or lacks the CA', () => {
    const insecure = buildKubeconfig(kubeconfig).replace(
      'certificate-authority-data:',
      'insecure-skip-tls-verify: true\n      x:',
    );
    expect(() => parseKubeconfig(insecure)).toThrow(KubeconfigParseError);
  });

  it('never quotes the text in its errors, since the text holds the token', () => {
    for (const broken of [
      `users:\n  - user:\n      token: ${token}\n    : [`,
      `users: [{ user: { token: ${token} } }]\nclusters: []\nextensions: []`,
      buildKubeconfig({ ...kubeconfig, record: { ...kubeconfig.record, expiresAt: token } }),
    ]) {
      let message = '';
      try {
        parseKubeconfig(broken);
      } catch (error) {
        expect(error).toBeInstanceOf(KubeconfigParseError);
        message = `${(error as Error).message} ${String((error as Error).cause ?? '')}`;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('c2VjcmV0');
    }
  });
});
