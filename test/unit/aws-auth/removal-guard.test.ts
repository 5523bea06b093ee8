import { describe, expect, it } from 'vitest';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import type { GroupMembers } from '../../../src/domain/aws-auth/desired-state';
import { nextAwsAuth } from '../../../src/domain/aws-auth/next-aws-auth';
import { recentRemovalsAnnotation } from '../../../src/domain/aws-auth/removal-guard';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { AwsAuthParseError } from '../../../src/domain/errors';

const config = parseAccessConfig(`
clusters: [{ name: prod, region: eu-west-1 }]
groups: [{ iamGroup: team, kubernetesGroups: [team] }]
`);
const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const members = (names: string[]): GroupMembers =>
  new Map([['team', names.map((n) => ({ userName: n, arn: `arn:aws:iam::111122223333:user/${n}` }))]]);
const hours = (h: number) => new Date(Date.UTC(2026, 11, 4) + h * 3_600_000);

type AwsAuth = { data: Record<string, string>; annotations: Record<string, string> };

/** One sync at `at`: IAM says `names` are the team; the ConfigMap written, when something changed. */
function sync(current: AwsAuth, names: string[], at: Date, force = false) {
  const next = nextAwsAuth(config, 'prod', current, members(names), { force, now: at });
  const userCount = parseAwsAuth(next.data).entries.length;
  return { next: { data: next.data, annotations: next.annotations }, plan: next.plan, userCount };
}

const twenty = () => sync({ data: {}, annotations: {} }, users('old', 20), hours(0)).next;

describe('the mass-removal guard', () => {
  it('withholds replacing every owned entry with others: what the plan adds does not dilute the share', () => {
    // Act
    const { plan, userCount } = sync(twenty(), users('new', 20), hours(1));

    // Assess
    expect(plan.refusal).toBe(
      'would remove 20 of the 20 entries this tool owns (more than 50%); removals withheld, run with force to apply them',
    );
    expect(plan.withheld).toHaveLength(20);
    expect(userCount).toBe(40);
  });

  it('keeps them withheld on the next run, when the 20 added are owned too', () => {
    // Prepare
    const first = sync(twenty(), users('new', 20), hours(1)).next;

    // Act
    const { plan } = sync(first, users('new', 20), hours(2));

    // Assess
    expect(plan.withheld).toHaveLength(20);
    expect(plan.refusal).toMatch(
      /^would remove 20 in the last 24h: 20 of the 20 entries this tool owned then/,
    );
  });

  it('adds up the removals of the runs in the window: ten runs of two cannot empty aws-auth', () => {
    // Prepare
    let current = twenty();
    const outcomes: number[] = [];

    // Act: every ten minutes two more people "leave".
    for (let run = 1; run <= 10; run++) {
      const result = sync(current, users('old', 20).slice(2 * run), hours(run / 6));
      outcomes.push(result.plan.changes.length);
      current = result.next;
    }

    // Assess: five runs remove 10 (50%); from then on nothing more is removed.
    expect(outcomes).toEqual([2, 2, 2, 2, 2, 0, 0, 0, 0, 0]);
    expect(parseAwsAuth(current.data).entries).toHaveLength(10);
  });

  it('forgets runs older than settings.removalWindow', () => {
    // Prepare: 10 of 20 removed, the most the window allows.
    const halved = sync(twenty(), users('old', 20).slice(10), hours(0)).next;
    expect(sync(halved, users('old', 20).slice(13), hours(1)).plan.withheld).toHaveLength(3);

    // Act
    const { plan } = sync(halved, users('old', 20).slice(13), hours(25));

    // Assess
    expect(plan.withheld).toEqual([]);
    expect(plan.changes).toHaveLength(3);
  });

  it('does not count forced removals against the runs that follow', () => {
    // Prepare
    const forced = sync(twenty(), users('old', 20).slice(15), hours(0), true).next;

    // Act
    const { plan } = sync(forced, users('old', 20).slice(17), hours(1));

    // Assess
    expect(plan.withheld).toEqual([]);
  });

  it('refuses to write over an unreadable record of recent runs', () => {
    // Prepare
    const current = twenty();
    current.annotations[recentRemovalsAnnotation] = '[[1, "x", 3]]';

    // Act, Assess
    expect(() => sync(current, users('old', 19), hours(1))).toThrow(AwsAuthParseError);
  });
});
