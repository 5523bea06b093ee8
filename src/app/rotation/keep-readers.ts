import { normalPolicy, readPolicy, readPolicyProblems } from '../../domain/rotation/secret-readers';
import { RotationError } from './rotation-errors';
import type { SecretsStore } from './rotation-ports';

/** What a run did to a secret's resource policy: readers of other accounts, by role ARN. */
export interface ReadersOutcome {
  /** `updated`: the policy now lists exactly `readers`; `removed`: it had one and has none now. */
  policy: 'unchanged' | 'updated' | 'removed';
  readers: string[];
}

/** The secret's resource policy could not be kept to the config's readers. */
export class ReadersPolicyError extends RotationError {
  override name = 'ReadersPolicyError';
}

/**
 * Keeps the secret's resource policy exactly to the user's readers: written when it differs (a reader
 * added or removed), deleted when the list is empty, untouched when it already says that. The secret
 * is the tool's own (its tags were checked), so a policy someone else put on it is replaced.
 */
export async function keepReaders(
  secrets: SecretsStore,
  secretArn: string,
  readers: readonly string[],
): Promise<ReadersOutcome> {
  const wanted = readPolicy(secretArn, readers);
  const sorted = [...new Set(readers)].sort();
  const current = await secrets.resourcePolicy(secretArn);
  if (normalPolicy(current) === normalPolicy(wanted)) return { policy: 'unchanged', readers: sorted };
  if (wanted === undefined) {
    await secrets.deleteResourcePolicy(secretArn);
    return { policy: 'removed', readers: [] };
  }
  const problems = readPolicyProblems(wanted, secretArn);
  if (problems.length > 0) {
    throw new ReadersPolicyError(`the read policy for ${secretArn} would be wrong: ${problems.join('; ')}`);
  }
  await secrets.putResourcePolicy(secretArn, wanted);
  return { policy: 'updated', readers: sorted };
}
