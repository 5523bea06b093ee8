/** A cluster cannot be reached: missing, not ACTIVE, or its account's role cannot be assumed. */
export class ClusterUnreachableError extends Error {
  override name = 'ClusterUnreachableError';
}
