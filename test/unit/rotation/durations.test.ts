import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/domain/rotation/rotation-duration';

describe('durations in access.yaml', () => {
  it.each([
    ['24h', 86_400],
    ['8h', 28_800],
    ['90m', 5_400],
    ['1h30m', 5_400],
    ['2d', 172_800],
    ['45s', 45],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '24', 'h', '1.5h', '-1h', '24H', '1h2h', ' 24h', '24h ', '1w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('writes the shortest text that reads back as the same duration', () => {
    expect(formatDuration(86_400)).toBe('24h');
    expect(formatDuration(5_400)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds))).toBe(seconds);
      }),
    );
  });
});
