import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClient, iamClient } from '../support/aws-clients';
import { type CfnTemplate, eventRules, packagedTemplate } from '../support/packaged-template';
import { sandbox, uniqueName } from '../support/sandbox';

const root = resolve(import.meta.dirname, '../..');
const home = 'eu-west-1';

interface SampleEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources?: string[];
}
const load = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as SampleEvent;
const samples = readdirSync(resolve(root, 'events'))
  .map((file) => ({ name: `events/${file}`, event: load(resolve(root, 'events', file)) }))
  .filter((s) => typeof s.event.source === 'string' && s.event.source !== 'aws.events');

const iamSample = load(resolve(root, 'events/iam-add-user-to-group.json'));
const variant = (eventName: string, extra: Record<string, unknown> = {}): SampleEvent => ({
  ...iamSample,
  detail: { ...iamSample.detail, eventName, ...extra },
});
/** Calls that look close to the real thing but must not wake syncAccess. */
const nearMisses: { name: string; event: SampleEvent }[] = [
  { name: 'GetGroup (read-only)', event: variant('GetGroup', { readOnly: true }) },
  { name: 'ListGroupsForUser (read-only)', event: variant('ListGroupsForUser', { readOnly: true }) },
  { name: 'CreateUser', event: variant('CreateUser') },
  { name: 'AttachGroupPolicy', event: variant('AttachGroupPolicy') },
  { name: 'AddUserToGroup from another source', event: { ...iamSample, source: 'custom.iam' } },
  {
    name: 'AddUserToGroup with another detail-type',
    event: { ...iamSample, 'detail-type': 'AWS Console Sign In via CloudTrail' },
  },
  {
    name: 'AddUserToGroup from another event source',
    event: variant('AddUserToGroup', { eventSource: 'sts.amazonaws.com' }),
  },
  { name: 'RunInstances', event: load(resolve(root, 'test/fixtures/events/ec2-run-instances.json')) },
  ...['DescribeCluster', 'CreateNodegroup', 'UpdateClusterConfig', 'CreateAccessEntry'].map((eventName) => {
    const created = load(resolve(root, 'events/eks-create-cluster.json'));
    return { name: `EKS ${eventName}`, event: { ...created, detail: { ...created.detail, eventName } } };
  }),
];

/** Which rule should receive each sample, by the event name it carries. */
function intendedRules(event: SampleEvent, rules: string[]): string[] {
  const name = String(event.detail.eventName);
  if (event.source === 'aws.iam') return rules.filter((r) => r.startsWith('IamEvents'));
  if (event.source === 'aws.eks' && ['CreateCluster', 'DeleteCluster'].includes(name)) {
    return rules.filter((r) => /Bootstrap|Cluster/i.test(r));
  }
  return [];
}

describe('the deployed EventBridge rules, matched by moto', () => {
  let main: CfnTemplate;
  let forwarder: CfnTemplate;
  beforeAll(async () => {
    const config = '--param=accessConfig=examples/sandbox/access.yaml';
    // The example's readers need the stage's customer-managed key.
    const key =
      '--param=secretsKmsKeyArn=arn:aws:kms:eu-west-1:111122223333:key/0123abcd-0123-4567-89ab-0123456789ab';
    [main, forwarder] = await Promise.all([
      packagedTemplate(['--stage', 'rules', '--region', home, config, key]),
      packagedTemplate(['--config', 'serverless.forwarder.yml', `--param=homeRegion=${home}`]),
    ]);
  }, 120_000);

  async function deploy(region: string, template: CfnTemplate, prefix: string) {
    const events = awsClient(EventBridgeClient, { env: { ...sandbox(), aws: { ...sandbox().aws, region } } });
    const sqs = awsClient(SQSClient, { env: { ...sandbox(), aws: { ...sandbox().aws, region } } });
    const queues = new Map<string, string>();
    for (const [id, rule] of eventRules(template)) {
      const name = `${prefix}-${id}`;
      await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(rule.pattern) }));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await events.send(
        new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: Attributes?.QueueArn }] }),
      );
      queues.set(id, QueueUrl as string);
    }
    return { events, sqs, queues };
  }

  async function delivered(sqs: SQSClient, queues: Map<string, string>): Promise<Map<string, string[]>> {
    const got = new Map<string, string[]>();
    for (const [id, url] of queues) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
      );
      got.set(
        id,
        (Messages ?? []).map((m) => String((JSON.parse(m.Body ?? '{}') as SampleEvent).detail?.eventID)),
      );
    }
    return got;
  }

  it('delivers every sample event to exactly its intended rule, and no near miss to any', async () => {
    const { events, sqs, queues } = await deploy(home, main, uniqueName('r'));
    const rules = [...queues.keys()];
    expect(rules).toContain('IamEventsRule');
    const cases = [...samples, ...nearMisses].map((c, i) => ({
      ...c,
      id: `case-${i}`,
      intended: nearMisses.includes(c) ? [] : intendedRules(c.event, rules),
    }));
    for (const c of cases) {
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: c.event.source,
              DetailType: c.event['detail-type'],
              Detail: JSON.stringify({ ...c.event.detail, eventID: c.id }),
              Resources: c.event.resources ?? [],
            },
          ],
        }),
      );
    }
    const got = await delivered(sqs, queues);
    for (const c of cases) {
      const receivedBy = rules.filter((r) => got.get(r)?.includes(c.id));
      expect({ event: c.name, receivedBy }).toEqual({ event: c.name, receivedBy: c.intended });
    }
    expect(cases.filter((c) => c.intended.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('forwards IAM and EKS cluster events from us-east-1 to the home region, where its rules pick them up', async () => {
    const prefix = uniqueName('f');
    const env = sandbox();
    const { sqs, queues } = await deploy(home, main, prefix);
    const east = awsClient(EventBridgeClient, { env: { ...env, aws: { ...env.aws, region: 'us-east-1' } } });
    const role = await iamClient().send(
      new CreateRoleCommand({
        RoleName: `${prefix}-fwd`,
        AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    for (const [id, rule] of eventRules(forwarder)) {
      const name = `${prefix}-${id}`;
      await east.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(rule.pattern) }));
      await east.send(
        new PutTargetsCommand({
          Rule: name,
          Targets: [
            {
              Id: 'home',
              Arn: `arn:aws:events:${home}:123456789012:event-bus/default`,
              RoleArn: role.Role?.Arn,
            },
          ],
        }),
      );
    }

    const send = (event: SampleEvent, id: string) =>
      east.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: event.source,
              DetailType: event['detail-type'],
              Detail: JSON.stringify({ ...event.detail, eventID: id }),
            },
          ],
        }),
      );
    await send(iamSample, 'forwarded');
    await send(variant('GetGroup', { readOnly: true }), 'not-forwarded');
    await send(load(resolve(root, 'events/eks-create-cluster.json')), 'cluster-created');

    const got = await delivered(sqs, queues);
    expect(got.get('IamEventsRule')).toEqual(['forwarded']);
    const clusterRules = [...queues.keys()].filter((r) => r !== 'IamEventsRule');
    expect(clusterRules.flatMap((r) => got.get(r) ?? [])).toEqual(['cluster-created']);
  });
});
