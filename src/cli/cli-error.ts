import { AwsAuthParseError, InvalidArnError, InvalidConfigError } from '../domain/errors';

/** Exit codes the CLI promises: 1 a cluster failed, 2 invalid input, 3 a refusal. */
export const exitCodes = { ok: 0, failed: 1, invalidInput: 2, refused: 3 } as const;

/** Invalid arguments or input files (not the aws-auth being refused). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code an error ends the CLI with. */
export function exitCodeOf(error: unknown): number {
  if (
    error instanceof UsageError ||
    error instanceof InvalidConfigError ||
    error instanceof InvalidArnError
  ) {
    return exitCodes.invalidInput;
  }
  if (error instanceof AwsAuthParseError) return exitCodes.refused;
  return exitCodes.failed;
}
