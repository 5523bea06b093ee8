/** Every error a rotation raises says what was being done, for whom and where; never a token. */
export class RotationError extends Error {
  override name = 'RotationError';
}

/** The new kubeconfig does not authenticate as its ServiceAccount: it is not promoted. */
export class RotationTestError extends RotationError {
  override name = 'RotationTestError';
}

/** The secret's versions are not where the protocol step expects them (a stale or foreign rotation). */
export class RotationStateError extends RotationError {
  override name = 'RotationStateError';
}

/** The user or cluster asked for is not (or no longer) in the config. */
export class UnknownExternalUserError extends RotationError {
  override name = 'UnknownExternalUserError';
}

/** Wraps a failure with the gerund of what was being done: `testing the new kubeconfig of …: …`. */
export function failedWhile(doing: string, error: unknown): RotationError {
  const message = error instanceof Error ? error.message : String(error);
  // The class survives the wrapping: callers branch on it.
  const Kind = error instanceof RotationError ? (error.constructor as typeof RotationError) : RotationError;
  return new Kind(`${doing}: ${message}`, { cause: error });
}
