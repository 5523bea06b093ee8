import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches } from '../../../src/domain/bootstrap/cluster-selector';

/** What a glob means, spelt as a regex: fine for short inputs, exponential for long ones. */
function reference(pattern: string, name: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

describe('namePattern globs are matched without backtracking (issue 16)', () => {
  it('answers 12 stars against a 40-character name that does not match in milliseconds', () => {
    // Prepare: the regex form took 82 s on this input.
    const pattern = `${'a*'.repeat(12)}b`;
    const name = 'a'.repeat(40);

    // Act
    const started = performance.now();
    const matched = globMatches(pattern, name);
    const elapsed = performance.now() - started;

    // Assess
    expect(matched).toBe(false);
    expect(elapsed).toBeLessThan(50);
    expect(globMatches(pattern, `${name}b`)).toBe(true);
  });

  it('stays fast for the longest pattern the config allows against a long name', () => {
    const pattern = `${'*a'.repeat(49)}*b`;
    const started = performance.now();

    expect(globMatches(pattern, 'a'.repeat(100))).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('means what the regex form means', () => {
    const text = (chars: string, maxLength: number) =>
      fc.array(fc.constantFrom(...chars), { maxLength }).map((c) => c.join(''));
    fc.assert(
      fc.property(text('ab*?.-', 8), text('ab.-', 10), (pattern, name) => {
        expect(globMatches(pattern, name)).toBe(reference(pattern, name));
      }),
      { numRuns: 2000 },
    );
  });
});
