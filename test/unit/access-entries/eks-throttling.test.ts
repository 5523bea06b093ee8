import { Readable } from 'node:stream';
import { EKSClient } from '@aws-sdk/client-eks';
import { HttpResponse } from '@smithy/protocol-http';
import { describe, expect, it } from 'vitest';
import { accessEntryStore } from '../../../src/adapters/eks-access-entries';

/** A real EKS client whose HTTP layer answers from a script: throttled `throttles` times, then the pages. */
function scriptedEks(throttles: number, maxAttempts: number) {
  const requests: string[] = [];
  const pages = [
    { accessEntries: ['arn:aws:iam::111122223333:user/a'], nextToken: 'p2' },
    { accessEntries: ['arn:aws:iam::111122223333:user/b'] },
  ];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    response: new HttpResponse({
      statusCode: status,
      headers: { 'content-type': 'application/json', ...headers },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    }),
  });
  const client = new EKSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    maxAttempts,
    requestHandler: {
      async handle(request: { method: string; path: string; query?: Record<string, string> }) {
        requests.push(`${request.method} ${request.path}`);
        if (requests.length <= throttles) {
          return json(429, { message: 'Rate exceeded' }, { 'x-amzn-errortype': 'ThrottlingException' });
        }
        if (request.path.endsWith('/access-entries'))
          return json(200, request.query?.nextToken ? pages[1] : pages[0]);
        const principal = decodeURIComponent(request.path.split('/').pop() ?? '');
        return json(200, {
          accessEntry: {
            principalArn: principal,
            type: 'STANDARD',
            username: 'u',
            kubernetesGroups: [],
            tags: {},
          },
        });
      },
    } as never,
  });
  return { client, requests };
}

describe('EKS throttling', () => {
  it('is retried by the SDK, so a short burst of ThrottlingException costs a delay, not a failed sync', async () => {
    const { client, requests } = scriptedEks(2, 4);

    const entries = await accessEntryStore(client, 'prod', 'aws').list();

    expect(entries.map((e) => e.principalArn)).toEqual([
      'arn:aws:iam::111122223333:user/a',
      'arn:aws:iam::111122223333:user/b',
    ]);
    expect(requests.slice(0, 3)).toEqual([
      'GET /clusters/prod/access-entries',
      'GET /clusters/prod/access-entries',
      'GET /clusters/prod/access-entries',
    ]);
  }, 20_000);

  it('fails with the call, the cluster and the SDK error when throttling outlasts the retries', async () => {
    const { client } = scriptedEks(10, 2);

    await expect(accessEntryStore(client, 'prod', 'aws').list()).rejects.toMatchObject({
      name: 'EksCallError',
      message: 'listing access entries of cluster prod: ThrottlingException: Rate exceeded',
    });
  }, 20_000);
});
