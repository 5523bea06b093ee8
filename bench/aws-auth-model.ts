import type { SandboxEnv } from '../scripts/sandbox/sandbox';
import { runAwsAuthModel } from '../test/support/aws-auth-model';
import { progress } from './progress';

/**
 * The model-based aws-auth test of `npm test`, run long: many more random sequences of syncs, hand
 * edits, rollbacks and concurrent writers on the bench's sandbox. A failure is reported with its seed
 * and the failing sequence (replay: MODEL_SEED=<seed> npx vitest run test/integration/aws-auth-model.test.ts).
 */
export async function awsAuthModelScenario(env: SandboxEnv) {
  const seed = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : Date.now() % 2_147_483_647;
  const runs = Number(process.env.MODEL_RUNS ?? 200);
  progress('awsAuthModel', `seed ${seed}, ${runs} runs of up to 60 steps`);
  try {
    const run = await runAwsAuthModel({ seed, runs, maxCommands: 60, env });
    return { status: 'passed', ...run };
  } catch (error) {
    return { status: 'failed', seed, runs, failure: (error as Error).message.slice(0, 4000) };
  }
}
