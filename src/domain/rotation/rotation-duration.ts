/** Seconds per unit of the durations access.yaml accepts (`24h`, `90m`, `1h30m`, `2d`). */
const unitSeconds: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

const durationPattern = /^(?:\d+[dhms])+$/;

/**
 * Parses a Go-style duration as `kubectl create token --duration` takes it, plus days; whole units
 * only, so `1.5h` is written `1h30m`. Undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (!durationPattern.test(text)) return undefined;
  let seconds = 0;
  const seen = new Set<string>();
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhms])/g)) {
    // `1h2h` is almost certainly a typo; refuse rather than guess.
    if (seen.has(unit as string)) return undefined;
    seen.add(unit as string);
    seconds += Number(amount) * (unitSeconds[unit as string] as number);
  }
  return seconds;
}

/** The shortest text parseDuration reads back as `seconds` (`86400` → `24h`, `5400` → `1h30m`). */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole === 0) return '0s';
  const hours = Math.floor(whole / 3_600);
  const minutes = Math.floor((whole % 3_600) / 60);
  const rest = whole % 60;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${rest ? `${rest}s` : ''}`;
}
