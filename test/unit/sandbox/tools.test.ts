import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { envFile, sandboxUp } from '../../../scripts/sandbox/sandbox';
import { MissingToolError, requireTools } from '../../../scripts/sandbox/tools';

describe('requireTools', () => {
  const originalPath = process.env.PATH;
  let emptyDir: string;

  beforeEach(() => {
    emptyDir = mkdtempSync(join(tmpdir(), 'eks-access-sync-empty-path-'));
    process.env.PATH = emptyDir;
  });
  afterEach(() => {
    process.env.PATH = originalPath;
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('names the missing tool and how to install it', () => {
    let thrown: unknown;
    try {
      requireTools(['go']);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(MissingToolError);
    expect((thrown as Error).name).toBe('MissingToolError');
    expect((thrown as Error).message).toMatch(/^\s+go: install Go/m);
    expect((thrown as Error).message).toContain('https://go.dev/doc/install');
  });

  it('lists every missing tool at once', () => {
    expect(() => requireTools(['go', 'python3'])).toThrow(/go: .*\n\s+python3: install Python/);
  });

  it('stops sandboxUp before anything is started or written', async () => {
    const stateDir = join(emptyDir, 'state');
    const log = vi.fn();

    await expect(sandboxUp(stateDir, log)).rejects.toBeInstanceOf(MissingToolError);

    expect(log).not.toHaveBeenCalled();
    expect(existsSync(envFile(stateDir))).toBe(false);
    expect(existsSync(stateDir)).toBe(false);
  });
});
