/** Where the CLI writes, and whether each stream may carry colour. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  colour: { out: boolean; err: boolean };
}

/**
 * The process's stdout and stderr. Colour only on a TTY, and never when NO_COLOR is set to
 * anything but the empty string (https://no-color.org).
 */
export function processTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const allowed = !env.NO_COLOR;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    colour: { out: allowed && process.stdout.isTTY === true, err: allowed && process.stderr.isTTY === true },
  };
}

const codes = { red: 31, green: 32, yellow: 33, dim: 2 } as const;

/** `text` in `colour` when `enabled`, else unchanged. */
export function paint(enabled: boolean, colour: keyof typeof codes, text: string): string {
  return enabled ? `\u001b[${codes[colour]}m${text}\u001b[0m` : text;
}

/** A plan line (`+`, `-`, `~`, `!`, `=`, `refused:`) coloured by what it does. */
export function paintDiffLine(enabled: boolean, line: string): string {
  if (line.startsWith('+ ')) return paint(enabled, 'green', line);
  if (line.startsWith('- ') || line.startsWith('refused:')) return paint(enabled, 'red', line);
  if (line.startsWith('~ ') || line.startsWith('! ') || line.startsWith('= ')) {
    return paint(enabled, 'yellow', line);
  }
  return line;
}
