import { spawnSync } from 'node:child_process';

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

const installHints: Record<string, string> = {
  go: 'install Go 1.26.2 or newer (aws-iam-authenticator v0.7.13 needs it) (https://go.dev/doc/install, or `apt-get install golang-go` where it is new enough)',
  python3:
    'install Python 3.10 or newer with venv and pip (`apt-get install python3 python3-venv python3-pip`)',
};

/** Stops before anything is started when a tool the sandbox needs is missing. */
export function requireTools(tools: string[]): void {
  const missing = tools.filter(
    (tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined,
  );
  if (missing.length === 0) return;
  const lines = missing.map((tool) => `  ${tool}: ${installHints[tool] ?? 'install it and put it on PATH'}`);
  throw new MissingToolError(`the sandbox needs tools that are not on PATH:\n${lines.join('\n')}`);
}
