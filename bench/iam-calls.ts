import type { IAMClient } from '@aws-sdk/client-iam';

/**
 * Counts the IAM API calls made through a client: one per command sent, before the SDK's retries
 * (those reach the wire count of paged-iam.ts instead). This is what the bench reports as
 * `iamRequests`, counted beneath the IamDirectory port rather than by the adapter.
 */
export function countIamCalls(client: IAMClient): { readonly calls: number } {
  let calls = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: 'benchIamCallCount' },
  );
  return {
    get calls() {
      return calls;
    },
  };
}
