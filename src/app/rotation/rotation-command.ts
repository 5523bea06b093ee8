/** The four steps of the Secrets Manager rotation protocol, named as Secrets Manager sends them. */
export const rotationSteps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof rotationSteps)[number];

/** What a rotateTokens invoke asks for, whatever triggered it. */
export type RotationCommand =
  /** Rotate every user whose token is due, then offboard users removed from the config. */
  | { kind: 'schedule'; why: string }
  /** Rotate one user (on one cluster, or all of theirs); `force` rotates even when not due. */
  | { kind: 'manual'; user: string; cluster?: string; force: boolean; why: string }
  /** One step of a rotation Secrets Manager drives (`aws secretsmanager rotate-secret`). */
  | { kind: 'step'; step: RotationStep; secretId: string; versionId: string; why: string };
