import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaContext, membershipEvent, sampleEvent } from '../sandbox/function-events';
import { type AwsIdentity, kubectl, kubectlAs, unauthorized } from '../sandbox/kubectl-as';
import type { SandboxEnv } from '../sandbox/sandbox';

const context = lambdaContext('eks-access-sync-sandbox-demo');

let step = 0;
const say = (title: string) => console.log(`\n${++step}. ${title}`);
const show = (text: string) => {
  for (const line of text.split('\n')) if (line.trim()) console.log(`     ${line}`);
};

class StoryError extends Error {
  override name = 'StoryError';
}
function expectThat(condition: boolean, what: string): void {
  if (!condition) throw new StoryError(`the story went wrong: ${what}`);
}

/** The user's story, with the real components' real answers. Throws when any step does not hold. */
export async function story(env: SandboxEnv): Promise<void> {
  const aws = {
    region: env.aws.region,
    endpoint: env.aws.endpoint,
    credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
  };
  const iam = new IAMClient(aws);
  const userName = 'maria';
  const group = 'eks-developers';

  say('The cluster `sandbox` bootstraps itself: RBAC roles and bindings, the IAM mappings, external users');
  const { handler: bootstrap } = await import('../../handlers/bootstrap-cluster');
  const booted = await bootstrap(sampleEvent('bootstrap-manual.json'), context as never);
  show(JSON.stringify(booted));

  say(`${userName} is a new developer: an IAM user with her own access key, in no group yet`);
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  expectThat(Boolean(key?.AccessKeyId && key.SecretAccessKey), 'moto issued an access key');
  const maria: AwsIdentity = {
    accessKeyId: key?.AccessKeyId ?? '',
    secretAccessKey: key?.SecretAccessKey ?? '',
  };
  show(`aws iam create-access-key --user-name ${userName}  → ${maria.accessKeyId}`);

  say(`${userName}'s kubectl (token: a presigned STS GetCallerIdentity, as \`aws eks get-token\` makes it)`);
  show('$ kubectl get pods -n default');
  let run = await kubectlAs(env, maria, ['get', 'pods', '-n', 'default']);
  show(lastLine(run.stderr));
  expectThat(run.status === 1 && unauthorized.test(run.stderr), 'an unmapped user is refused');

  say(`An admin adds ${userName} to the IAM group ${group}; CloudTrail → EventBridge → syncAccess`);
  await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: userName }));
  const added = await syncAccess(membershipEvent('AddUserToGroup', group, userName));
  show(
    JSON.stringify(
      added.clusters?.map(({ cluster, status, added, diff }) => ({ cluster, status, added, diff })),
    ),
  );
  expectThat(added.clusters?.[0]?.status === 'updated', 'syncAccess wrote her entry');

  say(`${userName}'s kubectl again: the real aws-iam-authenticator maps her through kube-system/aws-auth`);
  show('$ kubectl auth whoami');
  run = await kubectlAs(env, maria, ['auth', 'whoami']);
  show(run.stdout || run.stderr);
  expectThat(run.status === 0 && run.stdout.includes(userName), 'she is let in as herself');
  show('$ kubectl auth can-i list pods -n kube-system   # cluster-reader, through the group');
  run = await kubectlAs(env, maria, ['auth', 'can-i', 'list', 'pods', '-n', 'kube-system']);
  show(run.stdout);
  expectThat(run.stdout === 'yes', 'the mapped group has its rights');
  show('$ kubectl auth can-i get secrets -n kube-system');
  run = await kubectlAs(env, maria, ['auth', 'can-i', 'get', 'secrets', '-n', 'kube-system']);
  show(run.stdout);
  expectThat(run.stdout === 'no', 'no more rights than the mapped groups give');

  say(`${userName} moves to another team: removed from ${group}; syncAccess removes her entry`);
  await iam.send(new RemoveUserFromGroupCommand({ GroupName: group, UserName: userName }));
  const removed = await syncAccess(membershipEvent('RemoveUserFromGroup', group, userName));
  show(
    JSON.stringify(
      removed.clusters?.map(({ cluster, status, removed, diff }) => ({ cluster, status, removed, diff })),
    ),
  );
  expectThat(removed.clusters?.[0]?.status === 'updated', 'syncAccess removed her entry');
  show('$ kubectl get pods -n default');
  run = await refusedWithin(env, maria, 20_000);
  show(lastLine(run.stderr));
  expectThat(unauthorized.test(run.stderr), 'she is refused again');

  say('The node, Fargate and Windows roles in aws-auth were never touched');
  const auth = await kubectl(
    [
      '--server',
      env.kube.server,
      '--token',
      env.kube.adminToken,
      '--certificate-authority',
      caFile(env),
      'get',
      'configmap',
      'aws-auth',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.data.mapRoles}',
    ],
    home(),
  );
  const nodeRoles = auth.stdout.split('\n').filter((l) => l.includes('rolearn') && l.includes('eks-'));
  show(nodeRoles.join('\n'));
  expectThat(nodeRoles.length === 3, 'the three node roles are still there');

  say('partner-ci has no AWS identity: rotateTokens issues a ServiceAccount kubeconfig into Secrets Manager');
  const { handler: rotate } = await import('../../handlers/rotate-tokens');
  const rotated = (await rotate(sampleEvent('rotate-tokens.json'), context as never)) as {
    users?: unknown[];
  };
  show(JSON.stringify(rotated.users ?? rotated));
  const secret = await new SecretsManagerClient(aws).send(
    new GetSecretValueCommand({ SecretId: 'eks-access-sync/sandbox/partner-ci' }),
  );
  expectThat(Boolean(secret.SecretString), 'the kubeconfig is in Secrets Manager');
  const file = join(
    process.env.SANDBOX_ENV_FILE ? resolve(process.env.SANDBOX_ENV_FILE, '..') : '.',
    'partner-ci.kubeconfig',
  );
  writeFileSync(file, secret.SecretString ?? '', { mode: 0o600 });
  show(
    '$ aws secretsmanager get-secret-value --secret-id eks-access-sync/sandbox/partner-ci … > partner-ci.kubeconfig',
  );
  show('$ kubectl --kubeconfig partner-ci.kubeconfig auth whoami');
  run = await kubectl(['--kubeconfig', file, 'auth', 'whoami'], home());
  show(run.stdout || run.stderr);
  expectThat(
    run.status === 0 && run.stdout.includes('system:serviceaccount:external-access:partner-ci'),
    'the partner gets in with the kubeconfig',
  );
  show('$ kubectl --kubeconfig partner-ci.kubeconfig get pods -n external-access');
  run = await kubectl(['--kubeconfig', file, 'get', 'pods', '-n', 'external-access'], home());
  show(run.stdout || run.stderr);
  expectThat(run.status === 0, 'it reads its own namespace');
}

interface Summary {
  clusters?: { cluster: string; status: string; added?: string[]; removed?: string[]; diff?: string }[];
}

async function syncAccess(event: unknown): Promise<Summary> {
  const { handler } = await import('../../handlers/sync-access');
  return (await handler(event as never, context as never)) as Summary;
}

/**
 * Tries until refused: the authenticator sees the aws-auth change within a second (a watch), and each
 * attempt signs a new token, so the apiserver's cache of earlier answers does not hold it up.
 */
async function refusedWithin(env: SandboxEnv, who: AwsIdentity, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await kubectlAs(env, who, ['get', 'pods', '-n', 'default']);
    if (run.status !== 0 || Date.now() > deadline) return run;
    await sleep(1_000);
  }
}

function lastLine(text: string): string {
  return text.split('\n').filter(Boolean).at(-1) ?? '';
}

/** kubectl's HOME (its discovery cache): the sandbox's state folder, removed with it, never the checkout. */
function home(): string {
  return process.env.SANDBOX_ENV_FILE ? resolve(process.env.SANDBOX_ENV_FILE, '..') : tmpdir();
}

function caFile(env: SandboxEnv): string {
  const file = join(
    process.env.SANDBOX_ENV_FILE ? resolve(process.env.SANDBOX_ENV_FILE, '..') : '.',
    'ca.crt',
  );
  writeFileSync(file, Buffer.from(env.kube.caData, 'base64'));
  return file;
}
