import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import * as z from 'zod';
import type { IamUser } from '../domain/aws-auth/desired-state';
import { nextAwsAuth } from '../domain/aws-auth/next-aws-auth';
import { describePlan } from '../domain/aws-auth/plan-text';
import { parseAccessConfig } from '../domain/config/config-file';
import { permissionSetsOn } from '../domain/config/permission-sets';
import { UsageError } from './cli-error';
import { readCurrentAwsAuth } from './current-aws-auth';

/** iam.json: each IAM group name → its users as IAM's GetGroup lists them. */
const iamSnapshotSchema = z.record(
  z.string().min(1),
  z.array(z.looseObject({ UserName: z.string().min(1), Arn: z.string().min(1) })),
);

export interface RenderInput {
  config: string;
  cluster: string;
  iam: string;
  current?: string;
  force: boolean;
}

export interface RenderOutput {
  configMap: string;
  diff: string[];
  refusal?: string;
}

/** Offline: the complete next aws-auth for one cluster, from files only. */
export function render(input: RenderInput): RenderOutput {
  const config = parseAccessConfig(readText(input.config), input.config);
  if (!config.clusters.some((c) => c.name === input.cluster)) {
    throw new UsageError(`${input.config} has no cluster named ${input.cluster}`);
  }
  const sets = permissionSetsOn(config, input.cluster);
  if (sets.length > 0) {
    // Fail closed: an unresolved set would read as unmapped, and its role's entry would be removed.
    throw new UsageError(
      `${input.config} maps the permission sets ${sets.join(', ')} on ${input.cluster}: their roles are found in the cluster's account by a live run (ListRoles), which render does not make; preview with a plan run instead`,
    );
  }
  const members = readIamSnapshot(input.iam);
  const missing = config.groups.map((g) => g.iamGroup).filter((g) => !members.has(g));
  if (missing.length > 0) {
    // Fail closed: a group absent from the snapshot must not read as a group without members.
    throw new UsageError(
      `${input.iam} does not list the IAM groups ${missing.join(', ')} that the config maps`,
    );
  }
  const current = input.current ? readCurrentAwsAuth(readText(input.current), input.current) : undefined;
  const next = nextAwsAuth(config, input.cluster, current ?? { data: {}, annotations: {} }, members, {
    force: input.force,
    now: new Date(),
  });
  // Everything the current one carries (labels, other annotations, binaryData, resourceVersion) is kept.
  const base = current?.object ?? {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aws-auth', namespace: 'kube-system' },
  };
  const configMap = stringify(
    { ...base, metadata: { ...base.metadata, annotations: next.annotations }, data: next.data },
    { lineWidth: 0 },
  );
  return {
    configMap,
    diff: describePlan(next.plan),
    ...(next.plan.refusal ? { refusal: next.plan.refusal } : {}),
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function readIamSnapshot(file: string): Map<string, IamUser[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = iamSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UsageError(`${file} must map each IAM group to [{"UserName", "Arn"}, …]: ${where}`);
  }
  return new Map(
    Object.entries(parsed.data).map(([group, users]) => [
      group,
      users.map((u) => ({ userName: u.UserName, arn: u.Arn })),
    ]),
  );
}
