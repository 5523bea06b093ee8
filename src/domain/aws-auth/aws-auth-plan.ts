import type { AwsAuthEntry } from './aws-auth';
import type { Ownership } from './ownership';
import type { RemovalWindow } from './removal-guard';

/** The shape of a plan for one aws-auth: what planAwsAuth answers, the encoder and the reports read. */

export interface Mapping {
  arn: string;
  username: string;
  groups: string[];
}

export interface EntryChange {
  section: AwsAuthEntry['section'];
  key: string;
  arn: string;
  before?: Mapping;
  after?: Mapping;
}

/**
 * `report`: leave the changed entry as it is and say so on every run; `restore`: put back what the
 * config wants (or remove it when the config no longer does); `release`: theirs wins, the entry is no
 * longer the tool's and is kept like a hand-written one.
 */
export type DriftPolicy = 'report' | 'restore' | 'release';

export interface DriftedEntry {
  section: AwsAuthEntry['section'];
  arn: string;
  /** As someone changed it. */
  existing: Mapping;
  /** What the config wants for that ARN now, when it still wants one. */
  wanted?: Mapping;
  resolution: 'reported' | 'restored' | 'released';
}

/** What a sync would do to one aws-auth; `changes` are applied only when the plan is written. */
export interface AwsAuthPlan {
  changes: EntryChange[];
  unchanged: number;
  /** Entries the config wants but that someone else wrote: left alone, reported. */
  conflicts: { section: AwsAuthEntry['section']; arn: string; existing: Mapping; wanted: Mapping }[];
  /** Entries the tool wrote that someone changed since, and what this plan does about each. */
  drifted: DriftedEntry[];
  /** Ownership claims on entries the tool could never have written (node roles): ignored, the entry kept. */
  ignoredClaims: { section: AwsAuthEntry['section']; arn: string; why: string }[];
  /** Entries the config asks for that this tool never writes (a node's username), and why. */
  unwritable: { section: AwsAuthEntry['section']; arn: string; why: string }[];
  /** Removals held back by the mass-removal guard, and why. */
  withheld: EntryChange[];
  refusal?: string;
  /** Entries the tool owned, intact, before the plan: what the mass-removal guard counts against. */
  ownedBefore: number;
  /** Which entries the tool owns once the plan is applied. */
  owned: Ownership;
  /** The entries the section texts must hold afterwards, owned ones last and sorted. */
  result: AwsAuthEntry[];
}

export interface PlanOptions {
  adoptUnownedEntries: boolean;
  maxRemovalShare: number;
  force: boolean;
  /** What to do with an entry the tool wrote that someone changed since; default `report`. */
  onDrift?: DriftPolicy;
  /** The config maps someone to system:masters (allowSystemMasters): a claim on such an entry can be ours. */
  allowSystemMasters?: boolean;
  /** Limit the plan to these keys (one user's entry, after a membership event); absent: everything. */
  scope?: ReadonlySet<string>;
  /** Removals of recent runs: the mass-removal guard counts them with this plan's. */
  removalWindow?: RemovalWindow;
  /** Keys whose removal the mass-removal guard does not count: their principals keep access another way (an access entry). */
  exempt?: ReadonlySet<string>;
}
