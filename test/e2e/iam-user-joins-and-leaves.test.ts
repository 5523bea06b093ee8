import { setTimeout as sleep } from 'node:timers/promises';
import { RemoveUserFromGroupCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { iamClient } from '../support/aws-clients';
import { sandbox, uniqueName } from '../support/sandbox';
import { grantGroup, resetAwsAuth } from './support/cluster-admin';
import { invokeSyncAccess, membershipEvent, useFunctionsWith } from './support/functions';
import { iamPerson, joinGroup } from './support/identities';
import { canI, kubectlAs, unauthorized, whoAmI } from './support/kube-as';

/**
 * The story people buy the tool for, on the sandbox's real kube-apiserver with the real
 * aws-iam-authenticator as its token webhook: an IAM user's own kubectl, signed with the user's own
 * access key (issued by moto), is refused, let in once the user joins a mapped IAM group and syncAccess
 * has handled the CloudTrail event, and refused again once the user leaves.
 */
const group = 'e2e-readers';

/** The apiserver's webhook cache TTL, plus the authenticator's watch and a margin. */
function cacheWait(): number {
  return Number.parseInt(sandbox().authenticator.cacheTtl, 10) * 1000 + 5_000;
}

/** Asks again (each time with a newly signed token) until `done` holds or `ms` have passed; the last answer. */
async function within<T>(ms: number, ask: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  let answer = await ask();
  while (!done(answer) && Date.now() < deadline) {
    await sleep(500);
    answer = await ask();
  }
  return answer;
}

describe('an IAM user joins a mapped group, then leaves it', () => {
  beforeAll(async () => {
    useFunctionsWith(`
clusters:
  - name: sandbox
    region: us-east-1
groups:
  - iamGroup: ${group}
    kubernetesGroups: [e2e-pod-readers]
`);
    await resetAwsAuth();
    await grantGroup('e2e-pod-readers', [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  it('refuses them, lets their kubectl in with the group rights, then refuses them again', async () => {
    // Prepare: a person with their own access key, in no group yet.
    const person = await iamPerson(uniqueName('e2e-dana'));

    // Assess: not mapped, so the authenticator refuses them (both token generators).
    expect(await whoAmI(person.credentials)).toEqual({ authenticated: false, status: 401 });
    const refused = await kubectlAs(person.credentials, ['get', 'pods', '-n', 'default']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(unauthorized);
    const refusedOurs = await kubectlAs(person.credentials, ['get', 'pods'], {
      generator: 'eks-access-sync',
    });
    expect(refusedOurs.status).toBe(1);
    expect(refusedOurs.stderr).toMatch(unauthorized);

    // Act: they join the IAM group; EventBridge delivers the CloudTrail event to syncAccess.
    await joinGroup(iamClient(), group, person.userName);
    const added = await invokeSyncAccess(membershipEvent('AddUserToGroup', group, person.userName));
    expect(added).toMatchObject({ clusters: [{ cluster: 'sandbox', status: 'updated' }] });

    // Assess: their own kubectl gets in, as the IAM user, with the mapped group's rights and no more.
    // (A token signed within the same second as a refused one is the same token, whose refusal the
    // apiserver keeps for the cache TTL: hence "within".)
    const me = await within(
      cacheWait(),
      () => whoAmI(person.credentials),
      (r) => r.authenticated,
    );
    expect(me).toEqual({
      authenticated: true,
      username: person.userName,
      groups: ['e2e-pod-readers', 'system:authenticated'],
      arn: `arn:aws:iam::123456789012:user/${person.userName}`,
    });
    const pods = await within(
      cacheWait(),
      () => kubectlAs(person.credentials, ['get', 'pods', '-n', 'default']),
      (r) => r.status === 0,
    );
    expect(pods.stderr).not.toContain('Unauthorized');
    expect(pods.status).toBe(0);
    expect(
      (await kubectlAs(person.credentials, ['get', 'pods'], { generator: 'eks-access-sync' })).status,
    ).toBe(0);
    expect(await canI(person.credentials, 'list', 'pods', 'kube-system')).toBe('yes');
    expect(await canI(person.credentials, 'get', 'secrets', 'default')).toBe('no');
    expect(await canI(person.credentials, 'delete', 'pods', 'default')).toBe('no');

    // Act: they leave the group.
    await iamClient().send(new RemoveUserFromGroupCommand({ GroupName: group, UserName: person.userName }));
    const removed = await invokeSyncAccess(membershipEvent('RemoveUserFromGroup', group, person.userName));
    expect(removed).toMatchObject({ clusters: [{ cluster: 'sandbox', status: 'updated' }] });

    // Assess: refused again. Two caches stand between the aws-auth write and the refusal: the
    // authenticator's copy of aws-auth (a watch: updated within a second) and the apiserver's cache of
    // the webhook's answer per token (--authentication-token-webhook-cache-ttl, 10 s in the sandbox): a
    // token accepted before the removal (kubectl signs one per run, per second) still works until its
    // answer expires. The test waits out both, and no longer.
    const after = await within(
      cacheWait(),
      () => whoAmI(person.credentials),
      (r) => !r.authenticated,
    );
    expect(after).toEqual({ authenticated: false, status: 401 });
    const again = await within(
      cacheWait(),
      () => kubectlAs(person.credentials, ['get', 'pods', '-n', 'default']),
      (r) => r.status !== 0,
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(unauthorized);
  });
});
