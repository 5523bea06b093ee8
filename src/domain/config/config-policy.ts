import type * as z from 'zod';

/** Reports one problem at a path relative to the part being checked. */
export type PolicyReport = (path: (string | number)[], message: string) => void;

/** A rule on one part of the config (a mapping, a cluster) that needs nothing outside that part. */
export type PartPolicy<T> = (part: T, report: PolicyReport) => void;

/**
 * Attaches policies to the schema of the part they judge. zod runs a refinement when that value itself
 * parsed, whatever is wrong elsewhere in the file, so policy problems are reported together with every
 * schema problem in one run; a refinement on the whole file would run only once all of it is valid.
 */
export function withPolicies<S extends z.ZodType>(schema: S, ...policies: PartPolicy<z.output<S>>[]): S {
  return schema.superRefine((part, ctx) => {
    for (const policy of policies) {
      // continue: a policy problem must not keep the checks of the whole file (duplicates, references) from running.
      policy(part as z.output<S>, (path, message) =>
        ctx.addIssue({ code: 'custom', path, message, continue: true }),
      );
    }
  }) as S;
}
