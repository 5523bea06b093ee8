import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type RotateTokensSummary, rotateTokens } from '../../src/app/rotation/rotate-tokens';
import { awsClient, secretsManagerClient } from '../support/aws-clients';
import { everyToken, kubeconfigText, rotationScenario, sandboxRotationDeps } from '../support/rotation';
import { uniqueName } from '../support/sandbox';

const root = resolve(import.meta.dirname, '../..');

/** The README's example rule (examples/delivery/), for this test's user and cluster. */
function exampleRule(user: string, cluster: string) {
  const rule = JSON.parse(
    readFileSync(resolve(root, 'examples/delivery/kubeconfig-rotated-rule.json'), 'utf8'),
  );
  return { ...rule, detail: { ...rule.detail, user: [user], cluster: { name: [cluster] } } };
}

/** A rule on the sandbox region's default bus with an SQS queue as its target, as a partner's team would make. */
async function ruleToQueue(pattern: unknown) {
  const events = awsClient(EventBridgeClient);
  const sqs = awsClient(SQSClient);
  const name = uniqueName('rotated');
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: Attributes?.QueueArn }] }));
  return async () => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return (Messages ?? []).map((m) => m.Body ?? '');
  };
}

describe('rotation notices on EventBridge (moto rule → SQS)', () => {
  it("delivers a rotation's notice to a rule's queue with user, cluster, secret ARN, version and expiry, and no secret", async () => {
    // Prepare
    const s = rotationScenario();
    const received = await ruleToQueue(exampleRule(s.user, s.cluster));
    const deps = sandboxRotationDeps(s.config);

    // Act
    const summary = (await rotateTokens(deps)({ kind: 'schedule', why: 'schedule' })) as RotateTokensSummary;
    const bodies = await received();

    // Assess
    const user = summary.users[0];
    expect(user).toMatchObject({ status: 'issued', warnings: [] });
    expect(bodies).toHaveLength(1);
    const event = JSON.parse(bodies[0] ?? '{}');
    expect(event).toMatchObject({
      source: 'eks-access-sync',
      'detail-type': 'Kubeconfig Rotated',
      resources: [user?.secretArn],
    });
    expect(event.detail).toEqual({
      user: s.user,
      cluster: { name: s.cluster, region: 'us-east-1' },
      secretName: s.secretName,
      secretArn: user?.secretArn,
      versionId: user?.versionId,
      expiresAt: user?.expiresAt,
    });
    const kubeconfig = await kubeconfigText(s.secretName);
    const tokens = await everyToken(s.secretName);
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [kubeconfig, ...tokens]) expect(bodies[0]).not.toContain(secret);
    expect(bodies[0]).not.toMatch(/certificate-authority-data|client-key|token"/);
  });

  it('delivers a failed rotation with its reason', async () => {
    // Prepare: someone else's secret already has the name, so the rotation refuses to touch it.
    const s = rotationScenario();
    await secretsManagerClient().send(
      new CreateSecretCommand({ Name: s.secretName, SecretString: 'not ours' }),
    );
    const received = await ruleToQueue(exampleRule(s.user, s.cluster));
    const deps = sandboxRotationDeps(s.config);

    // Act
    await rotateTokens(deps)({ kind: 'schedule', why: 'schedule' });
    const bodies = await received();

    // Assess
    expect(bodies).toHaveLength(1);
    const event = JSON.parse(bodies[0] ?? '{}');
    expect(event['detail-type']).toBe('Kubeconfig Rotation Failed');
    expect(event.detail).toMatchObject({
      user: s.user,
      cluster: { name: s.cluster },
      secretName: s.secretName,
    });
    expect(event.detail.reason).toMatch(/exists and is not eks-access-sync's kubeconfig/);
    expect(bodies[0]).not.toContain('not ours');
  });
});
