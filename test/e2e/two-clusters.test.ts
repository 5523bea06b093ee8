import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../support/sandbox';
import { readAwsAuth, resetAwsAuth, sandboxCluster } from './support/cluster-admin';
import { invokeSyncAccess, useFunctionsWith } from './support/functions';
import { iamPerson } from './support/identities';
import { kubectlAs, unauthorized, whoAmI } from './support/kube-as';

/**
 * Two clusters, each its own kube-apiserver with its own aws-iam-authenticator (the e2e sandbox starts
 * two: `sandbox` and `sandbox-2`, the second tagged `eks-access-sync: managed`). The config lists no
 * cluster: `sandbox-2` is in the fleet because a bootstrap selector finds it (ListClusters and
 * DescribeCluster on moto); the functions reach it through DescribeCluster and an EKS token for that
 * cluster; a person mapped there is let in there, and nowhere else.
 */
const group = 'e2e-second-cluster';

describe('a second cluster', () => {
  let person: Awaited<ReturnType<typeof iamPerson>>;

  beforeAll(async () => {
    useFunctionsWith(`
groups:
  - iamGroup: ${group}
    kubernetesGroups: [e2e-second]
bootstrap:
  selectors:
    - namePattern: sandbox-*
      tags: { eks-access-sync: managed }
      regions: [us-east-1]
`);
    await resetAwsAuth('sandbox');
    await resetAwsAuth('sandbox-2');
    person = await iamPerson(uniqueName('e2e-sam'), [group]);
    const applied = await invokeSyncAccess({ action: 'apply' });
    expect(applied).toMatchObject({ clusters: [{ cluster: 'sandbox-2', status: 'updated' }] });
  });

  it('writes the mapping on the cluster the selector found, through its own apiserver', async () => {
    expect((await readAwsAuth('sandbox-2')).data?.mapUsers).toContain(person.userName);
    expect((await readAwsAuth('sandbox')).data?.mapUsers ?? '').not.toContain(person.userName);
  });

  it('lets the person into that cluster with a token for it, and not into the other', async () => {
    const second = sandboxCluster('sandbox-2');
    const first = sandboxCluster('sandbox');

    // Assess: in on sandbox-2, with both generators.
    expect(await whoAmI(person.credentials, 'sandbox-2', second)).toMatchObject({
      authenticated: true,
      username: person.userName,
    });
    expect((await kubectlAs(person.credentials, ['auth', 'whoami'], { on: second })).status).toBe(0);

    // Refused on sandbox: not mapped there, whichever cluster the token names.
    expect(await whoAmI(person.credentials, 'sandbox', first)).toEqual({ authenticated: false, status: 401 });
    expect(await whoAmI(person.credentials, 'sandbox-2', first)).toEqual({
      authenticated: false,
      status: 401,
    });
    expect((await kubectlAs(person.credentials, ['get', 'pods'], { on: first })).stderr).toMatch(
      unauthorized,
    );
  });

  it('refuses on sandbox-2 a token signed for sandbox, though the person is mapped there', async () => {
    const second = sandboxCluster('sandbox-2');

    expect(await whoAmI(person.credentials, 'sandbox', second)).toEqual({
      authenticated: false,
      status: 401,
    });
  });
});
