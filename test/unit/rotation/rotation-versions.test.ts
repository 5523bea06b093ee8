import { describe, expect, it } from 'vitest';
import {
  boundSecretName,
  boundSecretsToRevoke,
  versionWith,
} from '../../../src/domain/rotation/rotation-versions';

describe('which tokens to revoke after a promotion', () => {
  const stages = { v3: ['AWSCURRENT'], v2: ['AWSPREVIOUS'], v1: [], v0: [] };

  it('keeps AWSCURRENT and AWSPREVIOUS and revokes every older version', () => {
    const bound = ['v0', 'v1', 'v2', 'v3'].map((v) => ({ name: `b-${v}`, versionId: v }));
    expect(boundSecretsToRevoke(bound, stages)).toEqual(['b-v0', 'b-v1']);
  });

  it('revokes the token of a rotation that was abandoned half-way (never staged, or left AWSPENDING)', () => {
    const bound = [
      { name: 'b-v3', versionId: 'v3' },
      { name: 'b-orphan', versionId: 'never-stored' },
      { name: 'b-stuck', versionId: 'v4' },
    ];
    expect(boundSecretsToRevoke(bound, { ...stages, v4: ['AWSPENDING'] })).toEqual(['b-orphan', 'b-stuck']);
  });

  it('revokes a bound Secret whose version is unknown', () => {
    expect(boundSecretsToRevoke([{ name: 'b-lost' }], stages)).toEqual(['b-lost']);
  });

  it('finds the version that carries a label', () => {
    expect(versionWith(stages, 'AWSCURRENT')).toBe('v3');
    expect(versionWith(stages, 'AWSPENDING')).toBeUndefined();
  });
});

describe('bound Secret names', () => {
  it('are derived from the version id, so a repeated step finds the same Secret', () => {
    const id = '4f2a9c1e-7b3d-4e8a-9f10-2c6d5e7a8b90';
    expect(boundSecretName('partner-ci', id)).toBe(`eks-access-sync-partner-ci-${id}`);
    expect(boundSecretName('partner-ci', id)).toBe(boundSecretName('partner-ci', id));
  });

  it('stay valid Kubernetes names and distinct for ids that differ only in case', () => {
    const a = boundSecretName('partner-ci', 'ABCdef0123456789ABCdef0123456789');
    const b = boundSecretName('partner-ci', 'abcdef0123456789abcdef0123456789');
    expect(a).not.toBe(b);
    for (const name of [a, b, boundSecretName('x', 'token_with_underscores-')]) {
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});
