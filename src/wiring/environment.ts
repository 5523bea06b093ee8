import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { InvalidConfigError } from '../domain/errors';

// Serverless writes an unset parameter as ''; that means "not given".
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional());

const environmentSchema = z.object({
  /** The access.yaml the function manages; bundled with the function. */
  ACCESS_CONFIG_PATH: z.string().min(1).default('access.yaml'),
  /** The local sandbox: its env.json gives moto's endpoint and the kube-apiserver's endpoint, CA and token. */
  SANDBOX_ENV_FILE: optionalText,
  /** A customer-managed KMS key for the kubeconfig secrets (ARN or alias); default: aws/secretsmanager. */
  SECRETS_KMS_KEY_ID: optionalText,
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Conflict retries per cluster write, and clusters worked on at once. */
  MAX_WRITE_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  CLUSTER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** bootstrapCluster: its own delay queue for re-checks, and where what it gives up on goes (name or URL). */
  BOOTSTRAP_RECHECK_QUEUE: optionalText,
  BOOTSTRAP_DEAD_LETTER_QUEUE: optionalText,
  /** The role the functions run as (what a new cluster's access entry names); default: asked of STS. */
  FUNCTION_ROLE_ARN: optionalText,
});

export type Environment = z.infer<typeof environmentSchema>;

/** Reads and validates the function's environment once; every bad variable is reported together. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(env);
  if (result.success) return result.data;
  throw new InvalidConfigError(
    'the function environment',
    result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

const sandboxSchema = z.object({
  kube: z.object({ server: z.string().url(), caData: z.string().min(1), adminToken: z.string().min(1) }),
  aws: z.object({
    endpoint: z.string().url(),
    region: z.string().min(1),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    /** The sandbox's customer-managed key in moto's KMS, for the kubeconfig secrets. */
    kmsKeyArn: z.string().min(1).optional(),
    /** A session of the functions' own role, issued by moto; the sandbox maps it as the cluster creator. */
    function: z.object({
      roleArn: z.string().min(1),
      accessKeyId: z.string().min(1),
      secretAccessKey: z.string().min(1),
      sessionToken: z.string().min(1),
    }),
  }),
  /** The cluster ID the sandbox's aws-iam-authenticator checks tokens against. */
  authenticator: z.object({ clusterId: z.string().min(1) }),
  /** Every cluster with an apiserver and authenticator of its own (`sandbox:up --clusters N`). */
  clusters: z.array(z.object({ name: z.string().min(1) })).default([]),
});

export type SandboxEndpoints = z.infer<typeof sandboxSchema>;

export function readSandboxEndpoints(file: string): SandboxEndpoints {
  let raw: unknown;
  // `invoke local` runs inside the bundle's folder; a relative path means the caller's directory.
  const path = isAbsolute(file)
    ? file
    : resolve(process.env.INIT_CWD ?? process.env.PWD ?? process.cwd(), file);
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidConfigError(file, [
      {
        path: '',
        message: `cannot read the sandbox description (is the sandbox up? npm run sandbox:up): ${(error as Error).message}`,
      },
    ]);
  }
  const result = sandboxSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new InvalidConfigError(
    file,
    result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}
