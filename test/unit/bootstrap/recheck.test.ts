import { describe, expect, it } from 'vitest';
import { nextLook } from '../../../src/domain/bootstrap/bootstrap-recheck';

const created = new Date('2026-11-22T11:00:00Z');
const at = (minutes: number) => new Date(created.getTime() + minutes * 60_000);
const settings = { recheckEvery: 300, giveUpAfter: 2700 };

describe('nextLook', () => {
  it.each([
    [0.5, 1, { kind: 'recheck', attempt: 2, delaySeconds: 300 }],
    [40, 8, { kind: 'recheck', attempt: 9, delaySeconds: 300 }],
    [43, 9, { kind: 'recheck', attempt: 10, delaySeconds: 120 }],
  ])('at %s minutes after creation, look %s: %o', (minutes, attempt, expected) => {
    expect(nextLook({ attempt, firstSeenAt: created }, at(minutes), settings)).toEqual(expected);
  });

  it('gives up once the time allowed since creation has run out, counted from the creation, not the first look', () => {
    expect(nextLook({ attempt: 10, firstSeenAt: created }, at(45), settings)).toEqual({
      kind: 'give-up',
      reason: 'still not done 45 min after the cluster was created (attempt 10; limit 45 min)',
    });
  });

  it('never asks SQS for more than its 15-minute delay', () => {
    expect(
      nextLook({ attempt: 1, firstSeenAt: created }, at(0), { recheckEvery: 3600, giveUpAfter: 7200 }),
    ).toMatchObject({
      delaySeconds: 900,
    });
  });
});
