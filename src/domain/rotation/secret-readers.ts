import * as z from 'zod';
import { parsePrincipalArn } from '../arn';
import { type ConfigIssue, DomainError, InvalidArnError } from '../errors';

/** What a reader of another account may do with one user's secret, and nothing else. */
export const readActions = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] as const;

/** A reader that cannot be given the secret: of the secret's own account, or not an exact role. */
export class InvalidReaderError extends DomainError {
  override name = 'InvalidReaderError';
}

/**
 * `readers:` of an external user: roles of other accounts (a partner's CI role) that may read that
 * user's kubeconfig secret. Exact role ARNs only: a `*` would let a whole account, or anyone, in.
 */
export const readersSchema = z
  .array(
    z.string().superRefine((arn, ctx) => {
      if (/[*?]/.test(arn)) {
        ctx.addIssue({ code: 'custom', message: `${arn} has a wildcard; name each reader's role exactly` });
        return;
      }
      try {
        parsePrincipalArn(arn, 'role');
      } catch (error) {
        if (!(error instanceof InvalidArnError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    }),
  )
  .superRefine((readers, ctx) => {
    readers.forEach((arn, i) => {
      if (readers.findIndex((other) => other.toLowerCase() === arn.toLowerCase()) !== i) {
        ctx.addIssue({ code: 'custom', path: [i], message: `${arn} is listed twice` });
      }
    });
  })
  .default([]);

/**
 * Secrets encrypted with the account's `aws/secretsmanager` key cannot be read from another account
 * (its key policy cannot be changed): every user with readers needs the stage's customer-managed key.
 */
export function readersWithoutKey(
  users: readonly { name: string; readers: readonly string[] }[],
  kmsKeyId: string | undefined,
): ConfigIssue[] {
  if (kmsKeyId) return [];
  return users.flatMap((user, i) =>
    user.readers.length === 0
      ? []
      : [
          {
            path: `externalUsers[${i}].readers`,
            message: `${user.name} has readers, but the stage has no customer-managed KMS key (SECRETS_KMS_KEY_ID, param secretsKmsKeyArn): a secret encrypted with aws/secretsmanager cannot be read from another account`,
          },
        ],
  );
}

/** The account a secret lives in, from its ARN. */
function accountOfSecret(secretArn: string): string {
  const account = secretArn.split(':')[4] ?? '';
  if (!/^\d{12}$/.test(account)) throw new InvalidReaderError(`${secretArn} is not a secret ARN`);
  return account;
}

/**
 * The resource policy that lets exactly `readers` read the secret (and only it), or undefined when
 * there are none: then the secret has no policy at all. Readers are sorted, so the same list is the
 * same text and an unchanged list makes no write.
 */
export function readPolicy(secretArn: string, readers: readonly string[]): string | undefined {
  const own = accountOfSecret(secretArn);
  const principals = [...new Set(readers.map((r) => r.trim()))].sort();
  if (principals.length === 0) return undefined;
  for (const arn of principals) {
    if (/[*?]/.test(arn)) throw new InvalidReaderError(`reader ${arn} has a wildcard`);
    const role = parsePrincipalArn(arn, 'role');
    if (role.accountId === own) {
      throw new InvalidReaderError(
        `reader ${arn} is in the secret's own account ${own}: readers are for other accounts (grant a role of this account in its own IAM policy)`,
      );
    }
  }
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksAccessSyncReaders',
        Effect: 'Allow',
        Principal: { AWS: principals },
        Action: [...readActions],
        Resource: secretArn,
      },
    ],
  });
}

/**
 * A policy text in one canonical form (keys and lists sorted, a lone string as a list of one), so
 * that the same grants compare equal however Secrets Manager gives them back.
 */
export function normalPolicy(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.stringify(canonical(JSON.parse(text)));
  } catch {
    return text; // not JSON: whatever it is, it differs from what the tool writes
  }
}

const listKeys = new Set(['AWS', 'Action', 'Resource', 'Statement']);

function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => canonical(v)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'Sid')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v, k)]),
    );
  }
  return listKeys.has(key) ? [value] : value;
}

/**
 * What is wrong with a read policy before it is attached (moto has no ValidateResourcePolicy, and a
 * policy must never widen): each statement allows only the read actions, on this secret, to exact
 * roles of other accounts.
 */
export function readPolicyProblems(text: string, secretArn: string): string[] {
  const own = accountOfSecret(secretArn);
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    return ['the policy is not JSON'];
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const problems: string[] = [];
  for (const s of statements as Record<string, unknown>[]) {
    if (s?.Effect !== 'Allow') problems.push('a statement that is not Allow');
    const actions = [s?.Action].flat();
    if (!actions.every((a) => (readActions as readonly unknown[]).includes(a))) {
      problems.push(`actions other than ${readActions.join(' and ')}: ${actions.join(', ')}`);
    }
    if ([s?.Resource].flat().some((r) => r !== secretArn))
      problems.push(`a resource other than ${secretArn}`);
    const principals = [(s?.Principal as { AWS?: unknown } | undefined)?.AWS].flat();
    if (principals.length === 0 || typeof s?.Principal !== 'object') problems.push('no exact principal');
    for (const p of principals) {
      if (typeof p !== 'string' || /[*?]/.test(p)) problems.push(`a wildcard principal ${String(p)}`);
      else if (p.split(':')[4] === own) problems.push(`a principal of the secret's own account: ${p}`);
    }
    if (s?.Condition !== undefined || s?.NotPrincipal !== undefined || s?.NotAction !== undefined)
      problems.push('conditions or Not* elements the tool never writes');
  }
  return problems;
}
