import { identityOf } from '../../domain/config/cluster-identity';
import { ownsSecret, secretTag } from '../../domain/rotation/rotation-ownership';
import { stage, versionWith } from '../../domain/rotation/rotation-versions';
import { issueKubeconfig, revokeOlderTokens, verifyKubeconfig, versionKubeconfig } from './kubeconfig-issuer';
import type { RotationStep } from './rotation-command';
import { failedWhile, RotationStateError } from './rotation-errors';
import type { RotateTokensDeps, StoredSecret } from './rotation-ports';
import { describeTarget, type RotationTarget } from './rotation-target';

/** What a step did. `already done`: a repeated call found its work done and changed nothing. */
export interface StepOutcome {
  step: RotationStep;
  versionId: string;
  status: 'done' | 'already done';
  expiresAt?: Date;
  warnings: string[];
  /** Bound Secrets deleted (finishSecret): the tokens they carried no longer work. */
  revoked: string[];
}

type Step = (deps: RotateTokensDeps, target: RotationTarget, versionId: string) => Promise<StepOutcome>;

const outcome = (step: RotationStep, versionId: string, status: StepOutcome['status']): StepOutcome => ({
  step,
  versionId,
  status,
  warnings: [],
  revoked: [],
});

/** createSecret: a new token bound to its own Secret, in a kubeconfig staged AWSPENDING. */
const createSecret: Step = async (deps, target, versionId) => {
  const secret = await ownedSecret(deps, target);
  const state = versionState(secret, versionId, 'createSecret');
  if (state === 'current') return outcome('createSecret', versionId, 'already done');
  // Secrets Manager stages the version id before calling; only a value means the work was done.
  if (state === 'pending' && (await deps.secrets.value(target.secretId, versionId)) !== undefined) {
    return outcome('createSecret', versionId, 'already done');
  }
  if (!versionWith(secret.stages, stage.current)) {
    // A first version would become AWSCURRENT untested; the scheduled run issues first versions.
    throw new RotationStateError(`${secret.name} has no AWSCURRENT version to rotate from`);
  }
  const account = await target.access.ensureAccess(target.user);
  const issued = await issueKubeconfig(deps, target, account, versionId);
  await deps.secrets.put(target.secretId, versionId, issued.text, [stage.pending]);
  const expiresAt = new Date(issued.kubeconfig.record.expiresAt);
  return { ...outcome('createSecret', versionId, 'done'), expiresAt, warnings: issued.warnings };
};

/** setSecret: the token is live from the moment it is issued; this makes sure what it relies on is there. */
const setSecret: Step = async (deps, target, versionId) => {
  const secret = await ownedSecret(deps, target);
  if (versionState(secret, versionId, 'setSecret') === 'current')
    return outcome('setSecret', versionId, 'already done');
  const { record } = await versionKubeconfig(deps, target, versionId);
  await target.access.ensureAccess(target.user);
  await requireBoundSecret(target, record.boundSecret, versionId);
  return outcome('setSecret', versionId, 'done');
};

/** testSecret: the AWSPENDING kubeconfig must authenticate, with its own server and CA, as the ServiceAccount. */
const testSecret: Step = async (deps, target, versionId) => {
  const secret = await ownedSecret(deps, target);
  if (versionState(secret, versionId, 'testSecret') === 'current') {
    return outcome('testSecret', versionId, 'already done');
  }
  await verifyKubeconfig(deps, target, await versionKubeconfig(deps, target, versionId));
  return outcome('testSecret', versionId, 'done');
};

/**
 * finishSecret: AWSPENDING becomes AWSCURRENT (the old one AWSPREVIOUS), then every older token is
 * revoked. Run again, it only repeats the revocation, which finishes a run that failed half-way.
 */
const finishSecret: Step = async (deps, target, versionId) => {
  const secret = await ownedSecret(deps, target);
  const current = versionWith(secret.stages, stage.current);
  const kubeconfig = await versionKubeconfig(deps, target, versionId);
  let status: StepOutcome['status'] = 'already done';
  if (current !== versionId) {
    versionState(secret, versionId, 'finishSecret');
    // A token revoked since it was tested (a rotation that overtook this one) is never promoted.
    await requireBoundSecret(target, kubeconfig.record.boundSecret, versionId);
    await deps.secrets.moveStage(target.secretId, stage.current, versionId, current);
    status = 'done';
  }
  let stages = (await ownedSecret(deps, target)).stages;
  if (stages[versionId]?.includes(stage.pending)) {
    // Left on the current version, AWSPENDING would look like a rotation under way.
    await deps.secrets.removeStage(target.secretId, stage.pending, versionId);
    stages = (await ownedSecret(deps, target)).stages;
  }
  const revoked = await revokeOlderTokens(target, stages);
  await deps.secrets.tag(target.secretId, { [secretTag.expiresAt]: kubeconfig.record.expiresAt });
  return {
    ...outcome('finishSecret', versionId, status),
    expiresAt: new Date(kubeconfig.record.expiresAt),
    revoked,
  };
};

export const steps: Record<RotationStep, Step> = { createSecret, setSecret, testSecret, finishSecret };

/** Runs one step, its failure said with what was being done and for whom. */
export async function runStep(
  deps: RotateTokensDeps,
  target: RotationTarget,
  step: RotationStep,
  versionId: string,
): Promise<StepOutcome> {
  try {
    return await steps[step](deps, target, versionId);
  } catch (error) {
    throw failedWhile(`${step} of ${target.secretName} (${describeTarget(target)})`, error);
  }
}

async function ownedSecret(deps: RotateTokensDeps, target: RotationTarget): Promise<StoredSecret> {
  const secret = await deps.secrets.describe(target.secretId);
  if (!secret) throw new RotationStateError(`there is no secret ${target.secretName}`);
  if (!ownsSecret(secret.tags, { cluster: identityOf(target.cluster), user: target.user.name })) {
    throw new RotationStateError(`${secret.name} is not tagged as ${describeTarget(target)}'s kubeconfig`);
  }
  return secret;
}

/**
 * Where the version stands: AWSCURRENT (the rotation is over), AWSPENDING, or not there yet. Any
 * other label means the id belongs to some other rotation, which this step must not continue.
 */
function versionState(
  secret: StoredSecret,
  versionId: string,
  step: RotationStep,
): 'current' | 'pending' | 'absent' {
  const labels = secret.stages[versionId];
  if (labels === undefined) return 'absent';
  if (labels.includes(stage.current)) return 'current';
  if (labels.includes(stage.pending)) return 'pending';
  throw new RotationStateError(
    `version ${versionId} of ${secret.name} is ${labels.join(', ') || 'unlabelled'}, not AWSPENDING; ${step} does not continue it`,
  );
}

async function requireBoundSecret(target: RotationTarget, name: string, versionId: string): Promise<void> {
  const account = { namespace: target.user.namespace, name: target.user.name };
  if (!(await target.access.boundSecret(account, name))) {
    throw new RotationStateError(
      `the bound Secret ${target.user.namespace}/${name} of version ${versionId} is gone, so its token is revoked; start a new rotation`,
    );
  }
}
