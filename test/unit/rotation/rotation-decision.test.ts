import { describe, expect, it } from 'vitest';
import type { KubeconfigRecord } from '../../../src/domain/rotation/kubeconfig';
import {
  type CurrentKubeconfig,
  decideRotation,
  lifetimeWarning,
} from '../../../src/domain/rotation/rotation';

const now = new Date('2026-11-22T10:00:00Z');
const wanted = {
  server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
  caData: 'Q0E=',
  namespace: 'external-access',
  serviceAccount: 'partner-ci',
  serviceAccountUid: 'uid-1',
};
const record = (expiresAt: string): KubeconfigRecord => ({
  cluster: 'prod-east',
  user: 'partner-ci',
  namespace: 'external-access',
  serviceAccount: 'partner-ci',
  serviceAccountUid: 'uid-1',
  boundSecret: 'eks-access-sync-partner-ci-v1',
  versionId: 'v1',
  issuedAt: '2026-11-22T00:00:00Z',
  expiresAt,
});
const readable = (
  expiresAt: string,
  changes: Partial<Extract<CurrentKubeconfig, { kind: 'readable' }>> = {},
) =>
  ({
    kind: 'readable',
    server: wanted.server,
    caData: wanted.caData,
    record: record(expiresAt),
    boundSecretPresent: true,
    ...changes,
  }) as const;
const decide = (current: CurrentKubeconfig, force = false) =>
  decideRotation({ now, current, wanted, rotateBefore: 8 * 3600, force });

describe('when to rotate', () => {
  it('leaves a token with more than rotateBefore left', () => {
    expect(decide(readable('2026-11-22T18:00:01Z'))).toEqual({
      rotate: false,
      expiresAt: new Date('2026-11-22T18:00:01Z'),
      secondsLeft: 8 * 3600 + 1,
    });
  });

  it('rotates a token with less than rotateBefore left', () => {
    expect(decide(readable('2026-11-22T17:59:59Z'))).toEqual({
      rotate: true,
      reason: '7h59m59s left, less than rotateBefore 8h',
    });
  });

  it('rotates an expired token', () => {
    expect(decide(readable('2026-11-22T09:00:00Z'))).toMatchObject({
      rotate: true,
      reason: 'the current token has expired',
    });
  });

  it.each([
    ['forced', readable('2026-11-23T10:00:00Z'), true, 'forced'],
    ['no kubeconfig', { kind: 'none' } as const, false, 'no kubeconfig yet'],
    ['an unreadable kubeconfig', { kind: 'unreadable' } as const, false, 'cannot be read'],
    [
      'a new cluster CA',
      readable('2026-11-23T10:00:00Z', { caData: 'TkVX' }),
      false,
      'endpoint or CA changed',
    ],
    [
      'a new endpoint',
      readable('2026-11-23T10:00:00Z', { server: 'https://other' }),
      false,
      'endpoint or CA changed',
    ],
    [
      'a re-created ServiceAccount',
      readable('2026-11-23T10:00:00Z', {
        record: { ...record('2026-11-23T10:00:00Z'), serviceAccountUid: 'uid-0' },
      }),
      false,
      'deleted and created again',
    ],
    [
      'a namespace change',
      readable('2026-11-23T10:00:00Z', {
        record: { ...record('2026-11-23T10:00:00Z'), namespace: 'partners' },
      }),
      false,
      'another namespace',
    ],
    [
      'a revoked bound Secret',
      readable('2026-11-23T10:00:00Z', { boundSecretPresent: false }),
      false,
      'bound Secret is gone',
    ],
  ])('rotates a fresh token on %s', (_, current, force, reason) => {
    const decision = decide(current, force);
    expect(decision.rotate).toBe(true);
    expect(decision.rotate && decision.reason).toContain(reason);
  });
});

describe('the lifetime the cluster granted', () => {
  const issuedAt = new Date('2026-11-22T10:00:00Z');

  it('warns when the cluster capped the token (EKS grants at most 24h)', () => {
    expect(lifetimeWarning(72 * 3600, issuedAt, new Date('2026-11-23T10:00:00Z'))).toBe(
      'asked for a 72h token, the cluster granted 24h; expires 2026-11-23T10:00:00.000Z',
    );
  });

  it('does not warn about whole-second rounding', () => {
    expect(lifetimeWarning(24 * 3600, issuedAt, new Date('2026-11-23T09:59:30Z'))).toBeUndefined();
  });
});
