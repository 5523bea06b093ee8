import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { encodeAwsAuth } from '../../../src/domain/aws-auth/aws-auth-edit';
import type { DesiredEntry } from '../../../src/domain/aws-auth/desired-state';
import { encodeOwnership, ownedAnnotation, readOwnership } from '../../../src/domain/aws-auth/ownership';
import {
  type AwsAuthPlan,
  type PlanOptions,
  planAwsAuth,
  planChangesSomething,
} from '../../../src/domain/aws-auth/plan';

/** The parts of the kube-system/aws-auth ConfigMap the domain reads and writes. */
export interface AwsAuthConfigMap {
  data: Record<string, string>;
  annotations: Record<string, string>;
}

export const fixtureDir = join(import.meta.dirname, '../../fixtures/aws-auth');

/** A ConfigMap fixture from test/fixtures/aws-auth, named after its scenario. */
export function loadAwsAuthFixture(name: string): AwsAuthConfigMap {
  const configMap = parse(readFileSync(join(fixtureDir, name), 'utf8')) as {
    data?: Record<string, string>;
    metadata?: { annotations?: Record<string, string> };
  };
  return { data: configMap.data ?? {}, annotations: configMap.metadata?.annotations ?? {} };
}

export const planDefaults: PlanOptions = { adoptUnownedEntries: false, maxRemovalShare: 0.5, force: false };

/** What a sync does to one ConfigMap: parse, plan, and when something changes encode the next version. */
export function applyPlan(
  current: AwsAuthConfigMap,
  desired: readonly DesiredEntry[],
  options: Partial<PlanOptions> = {},
): { plan: AwsAuthPlan; changes: boolean; next: AwsAuthConfigMap } {
  const owned = readOwnership(current.annotations);
  const plan = planAwsAuth(parseAwsAuth(current.data), owned, desired, { ...planDefaults, ...options });
  const changes = planChangesSomething(plan, owned);
  if (!changes) return { plan, changes, next: current };
  return {
    plan,
    changes,
    next: {
      data: encodeAwsAuth(current.data, plan),
      annotations: { ...current.annotations, [ownedAnnotation]: encodeOwnership(plan.owned) },
    },
  };
}

/** Entries as a person compares them: section, ARN, username, groups, in ConfigMap order. */
export function mappings(data: Record<string, string>): [string, string, string, string[]][] {
  return parseAwsAuth(data).entries.map((e) => [e.section, e.arn, e.username, e.groups]);
}
