import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetGroupCommand,
  ListGroupsForUserCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { V1ObjectReference } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamClient, secretsManagerClient, stsClient } from '../support/aws-clients';
import {
  adminToken,
  authenticationApi,
  authorizationApi,
  coreApi,
  rbacApi,
  statusOf,
  statusWithin,
  userToken,
} from '../support/kube-clients';
import { uniqueName } from '../support/sandbox';

/** moto's default account. */
const ACCOUNT = '123456789012';

describe('sandbox kube-apiserver', () => {
  const ns = uniqueName('smoke');
  const admin = () => coreApi(adminToken());

  beforeAll(async () => {
    await admin().createNamespace({ body: { metadata: { name: ns } } });
  });
  afterAll(async () => {
    await admin().deleteNamespace({ name: ns });
  });

  async function serviceAccountToken(name: string, boundObjectRef?: V1ObjectReference) {
    await admin().createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
    const { status } = await admin().createNamespacedServiceAccountToken({
      namespace: ns,
      name,
      body: { spec: { audiences: [], expirationSeconds: 3600, boundObjectRef } },
    });
    return { token: status?.token ?? '', expires: status?.expirationTimestamp };
  }

  const whoAmI = async (token: string) =>
    (await authenticationApi(token).createSelfSubjectReview({ body: {} })).status?.userInfo?.username;

  it('rejects a replace that carries a stale resourceVersion with 409 Conflict', async () => {
    const name = uniqueName('cm');
    const created = await admin().createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name }, data: { v: '1' } },
    });
    await admin().replaceNamespacedConfigMap({ namespace: ns, name, body: { ...created, data: { v: '2' } } });

    const stale = admin().replaceNamespacedConfigMap({
      namespace: ns,
      name,
      body: { ...created, data: { v: '3' } },
    });

    expect(await statusOf(stale)).toBe(409);
    expect((await admin().readNamespacedConfigMap({ namespace: ns, name })).data).toEqual({ v: '2' });
  });

  it('issues a ServiceAccount token through TokenRequest that authenticates as that ServiceAccount', async () => {
    const name = uniqueName('sa');
    const asked = Date.now();

    const { token, expires } = await serviceAccountToken(name);

    expect(token.length > 0).toBe(true);
    const lifetime = (new Date(expires ?? 0).getTime() - asked) / 1000;
    expect(lifetime).toBeGreaterThan(3600 - 60);
    expect(lifetime).toBeLessThan(3600 + 60);
    expect(await whoAmI(token)).toBe(`system:serviceaccount:${ns}:${name}`);
  });

  it('enforces RBAC: unbound identities are denied until a RoleBinding grants them', async () => {
    const name = uniqueName('sa');
    const { token } = await serviceAccountToken(name);

    const review = await authorizationApi(adminToken()).createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${ns}:${name}`,
          resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' },
        },
      },
    });
    expect(review.status?.allowed).toBe(false);
    expect(await statusOf(coreApi(token).listNamespacedPod({ namespace: ns }))).toBe(403);
    const alice = coreApi(userToken('alice'));
    expect(await statusOf(alice.listNamespacedPod({ namespace: ns }))).toBe(403);

    await rbacApi(adminToken()).createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'alice-view' },
        // `view` itself is aggregated and stays empty without kube-controller-manager; this is its content.
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'system:aggregate-to-view',
        },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    });

    // The RBAC authorizer reads bindings from an informer cache: a new binding takes a moment.
    expect(await statusWithin(5_000, 200, () => alice.listNamespacedPod({ namespace: ns }))).toBe(200);
  });

  it('revokes a bound token once its bound Secret is deleted', async () => {
    const secret = await admin().createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: uniqueName('bound') } },
    });
    const secretName = secret.metadata?.name ?? '';
    const name = uniqueName('sa');
    const { token } = await serviceAccountToken(name, {
      apiVersion: 'v1',
      kind: 'Secret',
      name: secretName,
      uid: secret.metadata?.uid,
    });
    expect(await whoAmI(token)).toBe(`system:serviceaccount:${ns}:${name}`);

    await admin().deleteNamespacedSecret({ namespace: ns, name: secretName });

    // kube-apiserver caches a successful token authentication for 10 s (--token-success-cache-ttl
    // default), so revocation shows only once the check above has aged out of that cache.
    const status = await statusWithin(15_000, 401, () => whoAmI(token));
    expect(status).toBe(401);
  });
});

describe('sandbox moto', () => {
  it('round-trips IAM group membership', async () => {
    const iam = iamClient();
    const [UserName, GroupName] = [uniqueName('user'), uniqueName('group')];
    await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(new CreateGroupCommand({ GroupName }));

    await iam.send(new AddUserToGroupCommand({ UserName, GroupName }));

    const { Users } = await iam.send(new GetGroupCommand({ GroupName }));
    expect(Users?.map((u) => u.Arn)).toEqual([`arn:aws:iam::${ACCOUNT}:user/${UserName}`]);
    const { Groups } = await iam.send(new ListGroupsForUserCommand({ UserName }));
    expect(Groups?.map((g) => g.GroupName)).toEqual([GroupName]);

    await iam.send(new RemoveUserFromGroupCommand({ UserName, GroupName }));

    expect((await iam.send(new GetGroupCommand({ GroupName }))).Users).toEqual([]);
  });

  it('assumes a role and answers GetCallerIdentity with the assumed-role ARN', async () => {
    const [RoleName, RoleSessionName] = [uniqueName('role'), uniqueName('session')];
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
      ],
    };
    const { Role } = await iamClient().send(
      new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );

    const { Credentials } = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName }),
    );

    expect(Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now());
    const assumed = stsClient({
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken,
      },
    });
    const { Arn } = await assumed.send(new GetCallerIdentityCommand({}));
    expect(Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/${RoleName}/${RoleSessionName}`);
  });

  it('moves Secrets Manager staging labels: AWSPENDING, then AWSCURRENT, leaving AWSPREVIOUS', async () => {
    const sm = secretsManagerClient();
    const SecretId = uniqueName('kubeconfig');
    const { VersionId: oldVersion } = await sm.send(
      new CreateSecretCommand({ Name: SecretId, SecretString: 'old' }),
    );
    const { VersionId: newVersion } = await sm.send(
      new PutSecretValueCommand({ SecretId, SecretString: 'new', VersionStages: ['AWSPENDING'] }),
    );
    const valueAt = async (VersionStage: string) =>
      (await sm.send(new GetSecretValueCommand({ SecretId, VersionStage }))).SecretString;

    expect(await valueAt('AWSPENDING')).toBe('new');
    expect(await valueAt('AWSCURRENT')).toBe('old');

    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: newVersion,
        RemoveFromVersionId: oldVersion,
      }),
    );

    expect(await valueAt('AWSCURRENT')).toBe('new');
    const { VersionIdsToStages } = await sm.send(new DescribeSecretCommand({ SecretId }));
    expect(VersionIdsToStages?.[oldVersion ?? '']).toEqual(['AWSPREVIOUS']);
    expect(VersionIdsToStages?.[newVersion ?? '']).toContain('AWSCURRENT');
  });
});
