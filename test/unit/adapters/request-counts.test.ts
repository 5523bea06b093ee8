import { Readable } from 'node:stream';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  type PromiseHttpLibrary,
  type RequestContext,
  ResponseContext,
  SelfDecodingBody,
} from '@kubernetes/client-node';
import { type HttpHandler, type HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { describe, expect, it } from 'vitest';
import { countIamCalls } from '../../../bench/iam-calls';
import { countedClusters, type KubeTally } from '../../../bench/kube-tally';
import { iamDirectory } from '../../../src/adapters/iam-directory';
import { awsAuthStore } from '../../../src/adapters/kubernetes/aws-auth-store';
import { kubeApis } from '../../../src/adapters/kubernetes/kube-api';
import { WriteConflictError } from '../../../src/app/ports';
import type { ClusterConfig } from '../../../src/domain/config/config';

const xmlns = 'https://iam.amazonaws.com/doc/2010-05-08/';
const userFields = (name: string) =>
  `<UserName>${name}</UserName><UserId>AIDA${name.toUpperCase()}</UserId><Path>/</Path>` +
  `<Arn>arn:aws:iam::111122223333:user/${name}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>`;
const groupFields =
  '<GroupName>devs</GroupName><GroupId>AGPA1</GroupId><Path>/</Path>' +
  '<Arn>arn:aws:iam::111122223333:group/devs</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>';
const answer = (action: string, result: string) =>
  `<${action}Response xmlns="${xmlns}"><${action}Result>${result}</${action}Result>` +
  `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`;
const page = (list: string, members: string, next?: string) =>
  `<${list}>${members}</${list}><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>` +
  (next ? `<Marker>${next}</Marker>` : '');
const throttling =
  `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>Throttling</Code>` +
  '<Message>Rate exceeded</Message></Error><RequestId>r-2</RequestId></ErrorResponse>';

/**
 * IAM as the SDK meets it on the wire: GetGroup for `devs` in three pages, the first answer
 * throttled once (the SDK retries it), ListGroupsForUser in two pages, GetUser.
 */
function pagedIam() {
  let wire = 0;
  let throttled = false;
  const reply = (statusCode: number, body: string) => ({
    response: new HttpResponse({
      statusCode,
      headers: { 'content-type': 'text/xml' },
      body: Readable.from([Buffer.from(body)]),
    }),
  });
  const member = (name: string) => `<member>${userFields(name)}</member>`;
  const answers: Record<string, Record<string, string>> = {
    GetGroup: {
      '': `<Group>${groupFields}</Group>${page('Users', member('ann'), 'p2')}`,
      p2: `<Group>${groupFields}</Group>${page('Users', member('bob'), 'p3')}`,
      p3: `<Group>${groupFields}</Group>${page('Users', member('cid'))}`,
    },
    ListGroupsForUser: {
      '': page('Groups', `<member>${groupFields}</member>`, 'g2'),
      g2: page('Groups', ''),
    },
    GetUser: { '': `<User>${userFields('ann')}</User>` },
  };
  const handler = {
    async handle(request: HttpRequest) {
      wire++;
      const form = new URLSearchParams(String(request.body));
      const action = form.get('Action') ?? '';
      if (action === 'GetGroup' && !throttled) {
        throttled = true;
        return reply(400, throttling);
      }
      const result = answers[action]?.[form.get('Marker') ?? ''];
      if (result === undefined) throw new Error(`unexpected IAM request ${action}`);
      return reply(200, answer(action, result));
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  const client = new IAMClient({
    region: 'us-east-1',
    maxAttempts: 3,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    requestHandler: handler as unknown as HttpHandler,
  });
  return {
    client,
    get wire() {
      return wire;
    },
  };
}

/** An apiserver that holds one aws-auth and answers the write with 409 the first time. */
function conflictingApiserver() {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '7' },
    data: { mapRoles: '' },
  };
  let conflicted = false;
  const respond = (status: number, body: unknown) =>
    new ResponseContext(
      status,
      { 'content-type': 'application/json' },
      new SelfDecodingBody(Promise.resolve(Buffer.from(JSON.stringify(body)))),
    );
  const transport: PromiseHttpLibrary = {
    async send(request: RequestContext) {
      if (request.getHttpMethod() === 'GET') return respond(200, configMap);
      if (!conflicted) {
        conflicted = true;
        const message = 'the object has been modified';
        return respond(409, { kind: 'Status', status: 'Failure', reason: 'Conflict', message, code: 409 });
      }
      return respond(200, configMap);
    },
  };
  return transport;
}

describe('the bench counts requests beneath the ports', () => {
  it('counts one IAM call per command the directory sends, each page once, retries not included', async () => {
    // Prepare
    const iam = pagedIam();
    const counted = countIamCalls(iam.client);
    const directory = iamDirectory(iam.client);

    // Act
    const members = await directory.groupMembers('devs');
    const groups = await directory.userGroups('ann');

    // Assess: 3 GetGroup pages + 2 ListGroupsForUser pages + 1 GetUser; the wire saw the retry too.
    expect(members?.map((m) => m.userName)).toEqual(['ann', 'bob', 'cid']);
    expect(groups?.groups).toEqual(['devs']);
    expect(counted.calls).toBe(6);
    expect(iam.wire).toBe(7);
  });

  it('counts every apiserver request of a cluster’s aws-auth stores, a 409 included, per cluster', async () => {
    // Prepare: the cluster access the bench wraps, its Kubernetes clients carrying the tally's middleware.
    const tallies = new Map<string, KubeTally>();
    const clusters = countedClusters(
      (kubeMiddleware) => ({
        endpoint: async () => {
          throw new Error('not used');
        },
        awsAuth: async (cluster) =>
          awsAuthStore(
            kubeApis(
              { server: 'https://kube.example:6443', caData: '', token: 'k8s-aws-v1.x' },
              { transport: conflictingApiserver(), middleware: kubeMiddleware(cluster) },
            ),
          ),
      }),
      tallies,
    );
    const cluster = (name: string) => ({ name, region: 'us-east-1' }) as ClusterConfig;

    // Act: on prod, read, a write answered 409, read again, a backup and the write; on dev, one read.
    const prod = await clusters.awsAuth(cluster('prod'));
    const first = await prod.read();
    await expect(prod.write(first, { mapRoles: '' }, {})).rejects.toBeInstanceOf(WriteConflictError);
    const second = await prod.read();
    await prod.saveBackup('{}');
    await prod.write(second, { mapRoles: '' }, {});
    await (await clusters.awsAuth(cluster('dev'))).read();

    // Assess
    expect(tallies.get('prod')?.snapshot()).toMatchObject({
      requests: 5,
      reads: 2,
      writeAttempts: 2,
      writes: 1,
      conflicts: 1,
      backups: 1,
    });
    expect(tallies.get('dev')?.requests).toBe(1);
  });
});
