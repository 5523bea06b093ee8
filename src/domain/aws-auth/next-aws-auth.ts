import type { AccessConfig } from '../config/config';
import { parseDuration } from '../rotation/rotation-duration';
import { type ParsedAwsAuth, parseAwsAuth } from './aws-auth';
import { encodeAwsAuth } from './aws-auth-edit';
import { desiredEntries, type GroupMembers } from './desired-state';
import { encodeOwnership, ownedAnnotation, readOwnership } from './ownership';
import { claimStatus } from './ownership-claims';
import { type AwsAuthPlan, planAwsAuth, planChangesSomething } from './plan';
import { readRemovalRuns, recentRemovalsAnnotation, recordRemovals, removalWindow } from './removal-guard';
import { encodeWriteRecord, lastWriteAnnotation } from './write-record';

export interface NextAwsAuth {
  current: ParsedAwsAuth;
  plan: AwsAuthPlan;
  /** False when the ConfigMap would stay exactly as it is: then nothing is written. */
  changes: boolean;
  data: Record<string, string>;
  annotations: Record<string, string>;
  /** What this write changes, per entry, kept for a rollback; its id goes on aws-auth with the write. */
  record: { text: string; id: string };
}

/**
 * Parse what is there, plan against what the config wants, encode the result: the pure heart of
 * both a live sync and an offline render. Throws AwsAuthParseError when the current one does not parse.
 */
export function nextAwsAuth(
  config: AccessConfig,
  cluster: string,
  current: { data: Record<string, string>; annotations: Record<string, string> },
  members: GroupMembers,
  options: {
    force: boolean;
    scope?: ReadonlySet<string> | undefined;
    /** Keys left out of the desired state, their owned entries removed (a migration to access entries). */
    exclude?: ReadonlySet<string> | undefined;
    /** Only entries this tool owns already may stay or change: nothing is added or adopted. */
    onlyOwned?: boolean | undefined;
    /** Now, for the mass-removal guard's window of recent runs. */
    now: Date;
  },
): NextAwsAuth {
  const parsed = parseAwsAuth(current.data);
  const owned = readOwnership(current.annotations);
  const windowSeconds = parseDuration(config.settings.removalWindow) ?? 86_400;
  const runs = readRemovalRuns(current.annotations);
  const desired = desiredEntries(config, cluster, members).filter(
    (d) => !options.exclude?.has(d.key) && (!options.onlyOwned || owned[d.section].has(d.key)),
  );
  const plan = planAwsAuth(parsed, owned, desired, {
    adoptUnownedEntries: config.settings.adoptUnownedEntries,
    maxRemovalShare: config.settings.maxRemovalShare,
    onDrift: config.settings.onDrift,
    allowSystemMasters: mapsSystemMasters(config),
    force: options.force,
    removalWindow: removalWindow(runs, options.now, windowSeconds),
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.exclude ? { exempt: options.exclude } : {}),
  });
  const changes = planChangesSomething(plan, owned);
  const policy = { allowSystemMasters: mapsSystemMasters(config) };
  const record = encodeWriteRecord({
    changes: plan.changes.map((c) => {
      const before = parsed.entries.find((e) => e.section === c.section && e.key === c.key);
      return {
        section: c.section,
        arn: c.arn,
        ...(c.before ? { before: c.before } : {}),
        ...(c.after ? { after: c.after } : {}),
        ownedBefore: before !== undefined && claimStatus(before, owned, policy) === 'owned',
      };
    }),
  });
  const recentRemovals = (): Record<string, string> => {
    // A forced removal was meant by a person: it does not count against the runs that follow.
    const removed = options.force
      ? 0
      : plan.changes.filter((c) => !c.after && !options.exclude?.has(c.key)).length;
    // A run that withheld removals is kept too (removing none): its owned count stays the window's base,
    // so what it withheld is not let through by the next run, once what this one added is owned as well.
    const counts = removed > 0 || plan.withheld.length > 0;
    if (!counts && current.annotations[recentRemovalsAnnotation] === undefined) return {};
    const text = recordRemovals(runs, options.now, windowSeconds, plan.ownedBefore, removed, counts);
    return { [recentRemovalsAnnotation]: text };
  };
  if (!changes)
    return { current: parsed, plan, changes, data: current.data, annotations: current.annotations, record };
  return {
    current: parsed,
    plan,
    changes,
    data: encodeAwsAuth(current.data, plan),
    annotations: {
      ...current.annotations,
      [ownedAnnotation]: encodeOwnership(plan.owned),
      [lastWriteAnnotation]: record.id,
      ...recentRemovals(),
    },
    record,
  };
}

/** Whether the config maps anyone to system:masters, which it may only with allowSystemMasters. */
export function mapsSystemMasters(config: AccessConfig): boolean {
  return [...config.groups, ...config.roles].some(
    (m) => m.allowSystemMasters && m.kubernetesGroups.includes('system:masters'),
  );
}
