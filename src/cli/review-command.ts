import { writeFileSync } from 'node:fs';
import { runReview, UnknownClusterError } from '../app/review/run-review';
import { renderHtml } from '../domain/review/render-html';
import { renderJson } from '../domain/review/render-json';
import { renderText } from '../domain/review/render-text';
import type { ClusterReview } from '../domain/review/review-model';
import { readEnvironment } from '../wiring/environment';
import { reviewDeps } from '../wiring/review-deps';
import { readRuntime } from '../wiring/runtime';
import { exitCodes, UsageError } from './cli-error';

export type ReviewOutput = 'text' | 'json' | 'html';

export interface ReviewOptions {
  config: string;
  cluster?: string;
  output?: string;
  /** The sandbox's env file (`.sandbox/env.json` for a bare `--sandbox`). */
  sandbox?: string;
  /** Where the page or JSON goes; default: standard output. */
  file?: string;
}

/**
 * `eks-access-sync review --config access.yaml [--cluster NAME] [--output text|json|html] [--sandbox]`.
 * Exit 0 when every cluster was reviewed, 1 when one could not be, 2 for bad input.
 */
export async function reviewCommand(
  options: ReviewOptions,
  io: { write(text: string): void; error(text: string): void } = {
    write: (t) => process.stdout.write(t),
    error: (t) => process.stderr.write(t),
  },
  run: (cluster?: string) => Promise<ClusterReview[]> = defaultRun(options),
): Promise<number> {
  const output = options.output ?? 'text';
  if (!['text', 'json', 'html'].includes(output)) {
    io.error(`eks-access-sync review: --output must be text, json or html, not ${output}\n`);
    return exitCodes.invalidInput;
  }
  let reviews: ClusterReview[];
  try {
    reviews = await run(options.cluster);
  } catch (error) {
    if (!(error instanceof UnknownClusterError || error instanceof UsageError)) throw error;
    io.error(`eks-access-sync review: ${error.message}\n`);
    return exitCodes.invalidInput;
  }
  const text =
    output === 'json'
      ? renderJson(reviews)
      : output === 'html'
        ? renderHtml(reviews, new Date().toISOString())
        : renderText(reviews);
  if (options.file) writeFileSync(options.file, text, { mode: 0o644 });
  else io.write(text);
  for (const review of reviews) if (review.error) io.error(`${review.error}\n`);
  return reviews.some((r) => r.error) ? 1 : exitCodes.ok;
}

function defaultRun(options: ReviewOptions) {
  return (cluster?: string) => {
    const env = readEnvironment({
      ...process.env,
      ACCESS_CONFIG_PATH: options.config,
      ...(options.sandbox ? { SANDBOX_ENV_FILE: options.sandbox } : {}),
    });
    return runReview(reviewDeps(readRuntime(env)))(cluster === undefined ? {} : { cluster });
  };
}
