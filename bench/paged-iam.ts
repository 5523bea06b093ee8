import { IAMClient } from '@aws-sdk/client-iam';
import type { SandboxEnv } from '../scripts/sandbox/sandbox';

/** IAM's default (and the SDK's) page size for GetGroup and ListGroupsForUser. */
export const iamPageSize = 100;

/** Every HTTP request the client sent to moto, retries included (iam-calls.ts counts the calls). */
export interface IamWire {
  client: IAMClient;
  readonly httpRequests: number;
}

const paged: Record<string, string> = { GetGroupCommand: 'Users', ListGroupsForUserCommand: 'Groups' };

/**
 * The production IAM client (region us-east-1, maxAttempts 5) pointed at the sandbox's moto, with
 * IAM's pagination put back: moto answers GetGroup with every member at once, so each answer is cut
 * to the page IAM would return for the request's Marker (MaxItems 100 unless asked otherwise).
 * Each page is still one real HTTP request to moto: the request count, the latency and the data
 * are real; only the slicing is ours.
 */
export function pagedIamClient(env: SandboxEnv): IamWire {
  const client = new IAMClient({
    region: 'us-east-1',
    maxAttempts: 5,
    endpoint: env.aws.endpoint,
    credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
  });
  let httpRequests = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const listKey = paged[context.commandName ?? ''];
      if (listKey) {
        const input = args.input as { Marker?: string; MaxItems?: number };
        repage(result.output as unknown as Record<string, unknown>, listKey, input.Marker, input.MaxItems);
      }
      return result;
    },
    { step: 'initialize', name: 'benchIamPagination' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      httpRequests++;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchIamWireCount' },
  );
  return {
    client,
    get httpRequests() {
      return httpRequests;
    },
  };
}

function repage(output: Record<string, unknown>, listKey: string, marker?: string, maxItems?: number) {
  const all = (output[listKey] as unknown[] | undefined) ?? [];
  const size = maxItems ?? iamPageSize;
  const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) : 0;
  const end = start + size;
  output[listKey] = all.slice(start, end);
  output.IsTruncated = end < all.length;
  output.Marker = end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined;
}
