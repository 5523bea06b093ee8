import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../support/sandbox';
import { resetAwsAuth } from './support/cluster-admin';
import { invokeSyncAccess, useFunctionsWith } from './support/functions';
import { iamPerson } from './support/identities';
import { kubectlAs, unauthorized, whoAmI } from './support/kube-as';

/**
 * moto never checks a signature and answers any access key with some identity; STS does neither. The
 * sandbox checks what STS checks before it asks moto, so a mapped person's token is refused when it
 * would be refused on EKS. Each case starts from a token that works, and changes one thing.
 */
const group = 'e2e-token-checks';

describe('tokens STS would refuse are refused', () => {
  let person: Awaited<ReturnType<typeof iamPerson>>;

  beforeAll(async () => {
    useFunctionsWith(`
clusters:
  - name: sandbox
    region: us-east-1
groups:
  - iamGroup: ${group}
    kubernetesGroups: [e2e-token-checkers]
`);
    await resetAwsAuth();
    person = await iamPerson(uniqueName('e2e-erin'), [group]);
    const applied = await invokeSyncAccess({ action: 'apply' });
    expect(applied).toMatchObject({ clusters: [{ cluster: 'sandbox', status: 'updated' }] });
    // The control: with the right key, for this cluster, both generators get in.
    expect(await whoAmI(person.credentials)).toMatchObject({
      authenticated: true,
      username: person.userName,
    });
    expect((await kubectlAs(person.credentials, ['auth', 'whoami'])).status).toBe(0);
  });

  it('refuses a token signed with the wrong secret key', async () => {
    const wrongSecret = {
      ...person.credentials,
      secretAccessKey: `x${person.credentials.secretAccessKey.slice(1)}`,
    };

    expect(await whoAmI(wrongSecret)).toEqual({ authenticated: false, status: 401 });
    expect((await kubectlAs(wrongSecret, ['get', 'pods'])).stderr).toMatch(unauthorized);
  });

  it('refuses a token signed for another cluster', async () => {
    expect(await whoAmI(person.credentials, 'another-cluster')).toEqual({
      authenticated: false,
      status: 401,
    });
    const run = await kubectlAs(person.credentials, ['get', 'pods'], { clusterId: 'another-cluster' });
    expect(run.stderr).toMatch(unauthorized);
  });

  it('refuses a token signed with a key moto never issued (moto would answer it as a default user)', async () => {
    const unissued = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };

    expect(await whoAmI(unissued)).toEqual({ authenticated: false, status: 401 });
  });

  it('refuses a session token that does not belong to the key', async () => {
    const borrowed = { ...person.credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE' };

    expect(await whoAmI(borrowed)).toEqual({ authenticated: false, status: 401 });
  });

  it('refuses a token signed with a key that was deactivated', async () => {
    await person.deactivate();

    expect(await whoAmI(person.credentials)).toEqual({ authenticated: false, status: 401 });
    expect((await kubectlAs(person.credentials, ['get', 'pods'])).stderr).toMatch(unauthorized);
  });
});
