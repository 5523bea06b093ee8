import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program';
import { processTerminal, type Terminal } from '../../../src/cli/terminal';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const config = file(
  'access.yaml',
  'clusters: [{name: prod, region: eu-west-1}]\ngroups:\n  - {iamGroup: devs, kubernetesGroups: [developers]}\n',
);
const iam = file(
  'iam.json',
  JSON.stringify({ devs: [{ UserName: 'bo', Arn: 'arn:aws:iam::111122223333:user/bo' }] }),
);

/** Runs the CLI in-process, with what it writes kept per stream. */
async function cli(args: string[], colour = false) {
  const written = { out: '', err: '' };
  const terminal: Terminal = {
    out: (t) => {
      written.out += t;
    },
    err: (t) => {
      written.err += t;
    },
    colour: { out: colour, err: colour },
  };
  const code = await runCli(args, terminal);
  return { code, ...written };
}

describe('the eks-access-sync CLI', () => {
  it.each([[], ['render'], ['plan'], ['apply']])(
    'answers --help for %j with usage and exit 0',
    async (...command) => {
      const out = await cli([...command, '--help']);

      expect(out.code).toBe(0);
      expect(out.out).toMatch(/^Usage: eks-access-sync/);
      if (command.length > 0) expect(out.out).toContain('--config <file>');
      expect(out.err).toBe('');
    },
  );

  it('prints the package version with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

    const out = await cli(['--version']);

    expect(out).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('refuses an unknown flag with exit 2 and suggests the one meant', async () => {
    const out = await cli(['plan', '--confg', config]);

    expect(out.code).toBe(2);
    expect(out.err).toContain("unknown option '--confg'");
    expect(out.err).toContain('(Did you mean --config?)');
    expect(out.out).toBe('');
  });

  it('refuses an unknown command with a suggestion, and a missing --config by name', async () => {
    const typo = await cli(['aply']);
    const missing = await cli(['apply', '--cluster', 'prod']);

    expect(typo.code).toBe(2);
    expect(typo.err).toContain('(Did you mean apply?)');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('apply needs --config');
  });

  it('refuses an --output it does not know', async () => {
    const out = await cli([
      'render',
      '--config',
      config,
      '--cluster',
      'prod',
      '--iam',
      iam,
      '--output',
      'yaml',
    ]);

    expect(out.code).toBe(2);
    expect(out.err).toContain('Allowed choices are text, json');
  });

  it("gives render's diff as JSON with --output json, the ConfigMap still on stdout", async () => {
    const out = await cli([
      'render',
      '--config',
      config,
      '--cluster',
      'prod',
      '--iam',
      iam,
      '--output',
      'json',
    ]);

    expect(out.code).toBe(0);
    expect(JSON.parse(out.err)).toEqual({
      diff: ['+ mapUsers arn:aws:iam::111122223333:user/bo username="bo" groups=[developers]'],
    });
    expect(out.out).toContain('kind: ConfigMap');
  });

  it('colours the diff only when the terminal allows it', async () => {
    const args = ['render', '--config', config, '--cluster', 'prod', '--iam', iam];

    const coloured = await cli(args, true);
    const plain = await cli(args, false);

    expect(coloured.err).toContain('\u001b[32m+ mapUsers');
    expect(plain.err).not.toContain('\u001b[');
    expect(plain.out).toBe(coloured.out);
  });
});

describe('bin/eks-access-sync.mjs', () => {
  it('exits 0 on --help and --version, as a shell sees it', () => {
    const run = (...args: string[]) =>
      spawnSync(join(root, 'node_modules/.bin/node'), [join(root, 'bin/eks-access-sync.mjs'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });

    const help = run('--help');
    const version = run('--version');

    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 success');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('processTerminal', () => {
  it('allows colour on a TTY, never with NO_COLOR, and not off a TTY', () => {
    const tty = { out: process.stdout.isTTY, err: process.stderr.isTTY };
    try {
      Object.assign(process.stdout, { isTTY: true });
      Object.assign(process.stderr, { isTTY: true });
      expect(processTerminal({}).colour).toEqual({ out: true, err: true });
      expect(processTerminal({ NO_COLOR: '1' }).colour).toEqual({ out: false, err: false });
      expect(processTerminal({ NO_COLOR: '' }).colour).toEqual({ out: true, err: true });
      Object.assign(process.stdout, { isTTY: false });
      expect(processTerminal({}).colour).toEqual({ out: false, err: true });
    } finally {
      Object.assign(process.stdout, { isTTY: tty.out });
      Object.assign(process.stderr, { isTTY: tty.err });
    }
  });
});
