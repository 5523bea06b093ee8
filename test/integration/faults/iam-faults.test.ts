import { Readable } from 'node:stream';
import { GetGroupCommand, IAMClient, ListGroupsForUserCommand } from '@aws-sdk/client-iam';
import type { HttpHandler, HttpRequest } from '@smithy/protocol-http';
import { HttpResponse } from '@smithy/protocol-http';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { countIamCalls } from '../../../bench/iam-calls';
import { iamDirectory } from '../../../src/adapters/iam-directory';
import { syncAccess } from '../../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { sandbox } from '../../support/sandbox';
import { nodeRoles, syncFixture } from '../../support/sync-fixture';
import { injects } from './fault-count';

const apply = { kind: 'reconcile', apply: true, force: false, why: 'fault: IAM' } as const;
const arnsOf = (data: Record<string, string> | undefined) =>
  parseAwsAuth(data ?? {}).entries.map((e) => e.arn);

const throttlingXml = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
  <RequestId>4e1b2c3d-0000-4000-8000-000000000000</RequestId>
</ErrorResponse>`;

/**
 * The production IAM client (us-east-1, maxAttempts 5, the SDK's standard retry) in front of the
 * sandbox's moto, with IAM's throttling answer (HTTP 400, code Throttling) in place of the first
 * `throttled` requests. aws-sdk-client-mock replaces `send` and so would skip the SDK's retry;
 * this fault sits under the retry, where IAM's own answer would arrive.
 */
function throttledIam(throttled: number) {
  const { aws } = sandbox();
  const moto = new IAMClient({
    region: 'us-east-1',
    endpoint: aws.endpoint,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
  const real = moto.config.requestHandler as HttpHandler;
  const counts = { requests: 0, throttled: 0 };
  const handler = {
    async handle(request: HttpRequest, options?: Parameters<HttpHandler['handle']>[1]) {
      counts.requests++;
      if (counts.throttled < throttled) {
        counts.throttled++;
        const response = new HttpResponse({
          statusCode: 400,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': '4e1b2c3d' },
          body: Readable.from([Buffer.from(throttlingXml)]),
        });
        return { response };
      }
      return real.handle(request, options);
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  const client = new IAMClient({
    region: 'us-east-1',
    maxAttempts: 5,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    requestHandler: handler as unknown as HttpHandler,
  });
  return { client, counts };
}

describe('IAM throttled or failing mid-listing: nothing is removed', () => {
  it('rides out throttling with the SDK retry and then syncs', async (context) => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    const iam = throttledIam(3);
    const counted = countIamCalls(iam.client);
    const directory = iamDirectory(iam.client);

    const summary = await syncAccess(f.deps({ iam: directory }))(apply);
    injects(context, iam.counts.throttled);

    expect(iam.counts.throttled).toBe(3);
    expect(iam.counts.requests).toBe(counted.calls + 3);
    expect(summary.clusters[0]).toMatchObject({ status: 'updated' });
    expect(arnsOf((await f.readAwsAuth())?.data)).toEqual(
      expect.arrayContaining([f.userArn('ann'), f.userArn('dan')]),
    );
  });

  it('fails closed under persistent throttling: a clear error, aws-auth untouched', async (context) => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    await f.removeFromGroup('dan', 'devs');
    const before = await f.readAwsAuth();
    const iam = throttledIam(Number.POSITIVE_INFINITY);

    const reconcile = await syncAccess(f.deps({ iam: iamDirectory(iam.client) }))(apply);
    const event = await syncAccess(f.deps({ iam: iamDirectory(iam.client) }))({
      kind: 'membership',
      changes: [{ userName: f.user('dan'), group: f.group('devs') }],
      why: 'fault: throttled event',
    });
    injects(context, iam.counts.throttled);

    for (const result of [reconcile.clusters[0], event.clusters[0]]) {
      expect(result).toMatchObject({ status: 'error', removed: [] });
      expect(result?.reason).toMatch(/IAM could not be read.*nothing changed.*Throttling: Rate exceeded/);
    }
    const after = await f.readAwsAuth();
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(arnsOf(after?.data)).toContain(f.userArn('dan'));
  }, 60_000);

  it('removes nothing when page 2 of a group fails after page 1 came back', async (context) => {
    // Prepare: dan and dora are mapped; IAM (aws-sdk-client-mock: moto does not paginate) then
    // answers page 1 of devs with dan only, and fails page 2, where dora is.
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan', 'dora'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    const before = await f.readAwsAuth();
    const client = new IAMClient({ region: 'us-east-1' });
    const iam = mockClient(client);
    const member = (name: string) => ({
      UserName: f.user(name),
      Arn: f.userArn(name),
      UserId: name,
      Path: '/',
      CreateDate: new Date(),
    });
    const group = (name: string) => ({
      GroupName: f.group(name),
      GroupId: name,
      Arn: name,
      Path: '/',
      CreateDate: new Date(),
    });
    const failures = [
      Object.assign(new Error('We encountered an internal error. Please try again.'), {
        name: 'ServiceFailure',
      }),
      undefined, // a truncated page without a Marker
    ];
    let injected = 0;
    for (const failure of failures) {
      iam.reset();
      iam.on(GetGroupCommand).callsFake(async (input: { GroupName: string; Marker?: string }) => {
        if (input.GroupName === f.group('admins'))
          return { Group: group('admins'), Users: [member('ann')], IsTruncated: false };
        if (!input.Marker)
          return { Group: group('devs'), Users: [member('dan')], IsTruncated: true, Marker: 'page-2' };
        injected++;
        if (failure) throw failure;
        return { Group: group('devs'), Users: [], IsTruncated: true };
      });

      const summary = await syncAccess(f.deps({ iam: iamDirectory(client) }))(apply);

      expect(summary.clusters[0]).toMatchObject({ status: 'error', removed: [] });
      expect(summary.clusters[0]?.reason).toMatch(
        failure
          ? /IAM could not be read completely, nothing changed: getting IAM group .*ServiceFailure/
          : /truncated page without a marker/,
      );
      const after = await f.readAwsAuth();
      expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
      expect(arnsOf(after?.data)).toEqual(expect.arrayContaining([f.userArn('dan'), f.userArn('dora')]));
    }
    injects(context, injected);
    expect(injected).toBe(2);
  });

  it("removes nothing when page 2 of a user's groups fails on the event fast path", async (context) => {
    const f = await syncFixture({ groups: { admins: ['ann'], devs: ['dan'] } });
    await f.putAwsAuth({ mapRoles: nodeRoles });
    await syncAccess(f.deps())(apply);
    const before = await f.readAwsAuth();
    const client = new IAMClient({ region: 'us-east-1' });
    const iam = mockClient(client);
    iam.on(ListGroupsForUserCommand).callsFake(async (input: { Marker?: string }) => {
      if (!input.Marker)
        return {
          Groups: [{ GroupName: 'unmapped', GroupId: 'g', Arn: 'g', Path: '/', CreateDate: new Date() }],
          IsTruncated: true,
          Marker: 'p2',
        };
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    });

    const summary = await syncAccess(f.deps({ iam: iamDirectory(client) }))({
      kind: 'membership',
      changes: [{ userName: f.user('dan'), group: f.group('devs') }],
      why: 'fault: failed page on the fast path',
    });
    injects(context, 1);

    expect(summary.clusters[0]).toMatchObject({ status: 'error', removed: [] });
    expect(summary.clusters[0]?.reason).toMatch(
      /IAM could not be read, nothing changed: listing the groups of IAM user/,
    );
    const after = await f.readAwsAuth();
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(arnsOf(after?.data)).toContain(f.userArn('dan'));
  });
});
