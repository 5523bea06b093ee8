/** An EKS call failed; the message names the call and the cluster, and the SDK error is the cause. */
export class EksCallError extends Error {
  override name = 'EksCallError';
}

export const isNotFound = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';

export const isInUse = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ResourceInUseException';

/**
 * Runs an EKS call so that its failure says what was being done (`listing access entries of
 * cluster x: ThrottlingException: …`). `tolerate` picks SDK errors that are an answer, not a failure.
 */
export async function eksCall<T, F = never>(
  what: string,
  call: () => Promise<T>,
  tolerate?: { when: (error: unknown) => boolean; orElse: F },
): Promise<T | F> {
  try {
    return await call();
  } catch (error) {
    if (tolerate?.when(error)) return tolerate.orElse;
    const e = error as Error;
    throw new EksCallError(`${what}: ${e.name}: ${e.message}`, { cause: error });
  }
}
