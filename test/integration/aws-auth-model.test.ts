import { expect, it } from 'vitest';
import { runAwsAuthModel } from '../support/aws-auth-model';

// A fresh seed each run (MODEL_SEED=… to replay one): the seed and the step count are printed, so a
// failure anywhere can be run again exactly.
const seed = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : Date.now() % 2_147_483_647;

it('keeps every hand-written entry and reads exactly the expected mappings after random syncs, edits and rollbacks', async () => {
  console.log(`aws-auth model: seed ${seed} (MODEL_SEED=${seed} replays it)`);
  const run = await runAwsAuthModel({ seed, runs: 25, maxCommands: 40 });
  console.log(
    `aws-auth model: seed ${run.seed}, ${run.runs} runs, ${run.steps} steps in ${run.seconds} s, rollbacks ${JSON.stringify(run.rollbacks)}`,
  );
  expect(run.steps).toBeGreaterThan(250);
}, 300_000);
