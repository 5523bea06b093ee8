import type { AwsAuthPlan, Mapping } from './plan';

/** The plan as lines a person reviews in a pull request or a terminal; no secrets exist in a plan. */
export function describePlan(
  plan: Pick<
    AwsAuthPlan,
    'changes' | 'conflicts' | 'drifted' | 'ignoredClaims' | 'unwritable' | 'withheld' | 'refusal'
  >,
): string[] {
  const lines: string[] = [];
  const show = (m: Mapping) => `username=${JSON.stringify(m.username)} groups=[${m.groups.join(', ')}]`;
  for (const change of plan.changes) {
    if (!change.before && change.after) lines.push(`+ ${change.section} ${change.arn} ${show(change.after)}`);
    else if (change.before && !change.after)
      lines.push(`- ${change.section} ${change.arn} ${show(change.before)}`);
    else if (change.before && change.after) {
      lines.push(`~ ${change.section} ${change.arn} ${show(change.before)} → ${show(change.after)}`);
    }
  }
  for (const conflict of plan.conflicts) {
    lines.push(
      `! ${conflict.section} ${conflict.arn}: an entry this tool did not write exists (${show(conflict.existing)}); ` +
        `left as it is, wanted ${show(conflict.wanted)}`,
    );
  }
  for (const drift of plan.drifted) {
    const wanted = drift.wanted ? `wanted ${show(drift.wanted)}` : 'no longer wanted';
    lines.push(
      `? ${drift.section} ${drift.arn}: changed by someone else (now ${show(drift.existing)}; ${wanted}); ${drift.resolution}`,
    );
  }
  for (const claim of plan.ignoredClaims) {
    lines.push(`! ${claim.section} ${claim.arn}: ownership claim ignored, ${claim.why}; left as it is`);
  }
  for (const entry of plan.unwritable) {
    lines.push(`! ${entry.section} ${entry.arn}: not written, ${entry.why}`);
  }
  for (const removal of plan.withheld) lines.push(`= ${removal.section} ${removal.arn}: removal withheld`);
  if (plan.refusal) lines.push(`refused: ${plan.refusal}`);
  return lines;
}
