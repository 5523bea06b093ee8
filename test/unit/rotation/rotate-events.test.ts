import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordRotationMetrics } from '../../../src/lambda/metrics';
import { InvalidEventError, rotationCommandFrom } from '../../../src/lambda/rotate-events';

const sample = (name: string): unknown =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../events', name), 'utf8'));

describe('rotateTokens events', () => {
  it('reads the manual invoke sample as a forced rotation of one user on one cluster', () => {
    expect(rotationCommandFrom(sample('rotate-tokens.json'))).toEqual({
      kind: 'manual',
      user: 'partner-ci',
      cluster: 'sandbox',
      force: true,
      why: 'manual partner-ci',
    });
  });

  it('reads the scheduled sample as a schedule run', () => {
    expect(rotationCommandFrom(sample('rotate-tokens-scheduled.json'))).toEqual({
      kind: 'schedule',
      why: 'schedule',
    });
  });

  it.each([
    ['create-secret', 'createSecret'],
    ['set-secret', 'setSecret'],
    ['test-secret', 'testSecret'],
    ['finish-secret', 'finishSecret'],
  ])('reads the Secrets Manager %s sample as that step', (file, step) => {
    expect(rotationCommandFrom(sample(`secretsmanager-rotation-${file}.json`))).toMatchObject({
      kind: 'step',
      step,
      secretId: expect.stringMatching(
        /^arn:aws:secretsmanager:.*:secret:eks-access-sync\/sandbox\/partner-ci-/,
      ),
      versionId: '4f2a9c1e-7b3d-4e8a-9f10-2c6d5e7a8b90',
    });
  });

  it.each([
    [{ user: 'partner-ci', force: 'yes' }, /manual invoke: force/],
    [{ user: 'partner-ci', clusters: ['x'] }, /manual invoke: .*clusters/],
    [
      { Step: 'rotateSecret', SecretId: 'x', ClientRequestToken: 'y'.repeat(36) },
      /Secrets Manager rotation event: Step/,
    ],
    [{ action: 'apply' }, /not an event rotateTokens handles/],
    [null, /not an event rotateTokens handles/],
  ])('rejects %j with what was wrong', (event, message) => {
    expect(() => rotationCommandFrom(event)).toThrow(InvalidEventError);
    expect(() => rotationCommandFrom(event)).toThrow(message);
  });
});

describe('rotateTokens metrics', () => {
  it('counts rotations done and failed and the seconds left on the soonest token', () => {
    // Prepare
    const added: [string, string, number][] = [];
    const sink = {
      addMetric: (name: string, unit: string, value: number) => added.push([name, unit, value]) as never,
    };
    const user = { cluster: 'c', secret: 's', warnings: [], revoked: 0 };

    // Act
    recordRotationMetrics(
      {
        trigger: 'schedule',
        why: 'schedule',
        users: [
          { ...user, user: 'a', status: 'rotated', expiresAt: '2026-11-23T10:00:00Z' },
          { ...user, user: 'b', status: 'unchanged', expiresAt: '2026-11-22T12:00:00Z' },
          { ...user, user: 'c', status: 'error', reason: 'x' },
        ],
        offboarded: [{ cluster: 'c', status: 'offboarded', serviceAccounts: ['ns/d'], secrets: ['s/d'] }],
        soonestExpiry: '2026-11-22T12:00:00Z',
      },
      new Date('2026-11-22T10:00:00Z'),
      sink as never,
    );

    // Assess
    expect(added).toEqual([
      ['RotationsDone', 'Count', 1],
      ['RotationsFailed', 'Count', 1],
      ['ExternalUsersOffboarded', 'Count', 2],
      ['SoonestTokenExpirySeconds', 'Seconds', 7200],
    ]);
  });
});
