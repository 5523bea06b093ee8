/** Exit codes the CLI promises: 2 for invalid input, 3 when it refuses to produce a result. */
export const exitCodes = { ok: 0, invalidInput: 2, refused: 3 } as const;

/** Invalid arguments or input files (not the aws-auth being refused). */
export class UsageError extends Error {
  override name = 'UsageError';
}
