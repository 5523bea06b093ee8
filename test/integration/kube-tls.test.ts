import { rootCertificates } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeApis } from '../../src/adapters/kubernetes/kube-api';
import { kubeCall } from '../../src/adapters/kubernetes/kube-call';
import { KubeUnreachableError } from '../../src/adapters/kubernetes/kube-errors';
import { sandbox } from '../support/sandbox';

/** A real CA that did not sign the sandbox apiserver's certificate. */
const otherCa = Buffer.from(rootCertificates[0] ?? '').toString('base64');

describe('TLS to the cluster', () => {
  const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
  });

  it('is verified against the cluster CA, even when the environment says not to', async () => {
    // Prepare: an environment that turns off Node's default verification
    const env = sandbox();
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const wrong = kubeApis({ server: env.kube.server, caData: otherCa, token: env.kube.adminToken });
    const right = kubeApis({ server: env.kube.server, caData: env.kube.caData, token: env.kube.adminToken });

    // Act
    const refused = await kubeCall('listing namespaces', () => wrong.core.listNamespace({ limit: 1 })).catch(
      (e) => e,
    );
    const accepted = await kubeCall('listing namespaces', () => right.core.listNamespace({ limit: 1 }));

    // Assess
    expect(refused).toBeInstanceOf(KubeUnreachableError);
    expect(refused.message).toMatch(
      /^GET \/api\/v1\/namespaces\?limit=1: (UNABLE_TO_VERIFY|SELF_SIGNED|DEPTH_ZERO)/,
    );
    expect(refused.message).not.toContain(env.kube.adminToken);
    expect(accepted.items.length).toBe(1);
  });
});
