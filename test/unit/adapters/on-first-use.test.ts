import { describe, expect, it } from 'vitest';
import { KubeUnreachableError } from '../../../src/adapters/kubernetes/kube-errors';
import { lazyKubernetes } from '../../../src/adapters/kubernetes/on-first-use';

const plainHttp = { server: 'http://kube.example:8080', caData: '', token: 'k8s-aws-v1.secret' };

describe('the Kubernetes adapters loaded on first use', () => {
  it('builds a port without loading anything, and its first call loads the adapters and runs', async () => {
    // Prepare: an endpoint the real adapter refuses, so the call proves it reached it
    const objects = lazyKubernetes.clusterObjects(plainHttp);
    const access = lazyKubernetes.externalAccess(plainHttp, 'prod');

    // Act
    const refused = await objects.accepts().catch((e) => e);
    const listed = await access.managedServiceAccounts().catch((e) => e);

    // Assess
    expect(refused).toBeInstanceOf(KubeUnreachableError);
    expect(refused.message).toMatch(/is not https: TLS is never skipped/);
    expect(listed).toBeInstanceOf(KubeUnreachableError);
    // A plain object: it can be spread and wrapped like any adapter, and is no thenable.
    expect(Object.keys({ ...access }).sort()).toEqual([
      'bindSecret',
      'boundSecret',
      'boundSecrets',
      'ensureAccess',
      'managedServiceAccounts',
      'offboard',
      'requestToken',
      'revoke',
    ]);
    expect(await Promise.resolve(objects)).toBe(objects);
  });
});
