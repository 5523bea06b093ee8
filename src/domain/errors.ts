/** The base of every error the domain raises; callers branch on the class, never on the message. */
export class DomainError extends Error {
  override name = 'DomainError';
}

/** An ARN that cannot be used where it was given (wrong service, an STS session, malformed). */
export class InvalidArnError extends DomainError {
  override name = 'InvalidArnError';
}

/** One problem found in a configuration file, with where it is. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The configuration is invalid; every problem is listed at once. */
export class InvalidConfigError extends DomainError {
  override name = 'InvalidConfigError';
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${source} is invalid:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}

/** The current aws-auth cannot be read the way the EKS authenticator reads it: nothing may be written over it. */
export class AwsAuthParseError extends DomainError {
  override name = 'AwsAuthParseError';
  constructor(readonly problems: string[]) {
    super(`aws-auth cannot be parsed, so it is left untouched:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
