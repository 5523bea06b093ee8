import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { UnknownClusterError } from '../../../src/app/sync/sync-access';
import { syncCluster } from '../../../src/app/sync/sync-cluster';
import { UsageError } from '../../../src/cli/cli-error';
import { render } from '../../../src/cli/render';
import { parseAwsAuth } from '../../../src/domain/aws-auth/aws-auth';
import { EncodingMismatchError } from '../../../src/domain/aws-auth/aws-auth-edit';
import { nextAwsAuth } from '../../../src/domain/aws-auth/next-aws-auth';
import { readOwnership } from '../../../src/domain/aws-auth/ownership';
import type { ClusterConfig } from '../../../src/domain/config/config';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { AwsAuthParseError, DomainError, InvalidConfigError } from '../../../src/domain/errors';
import { syncAccessHandler } from '../../../src/lambda/sync-access-handler';
import { isSqsBatch, syncBatchFrom } from '../../../src/lambda/sync-batch';
import { InvalidEventError, syncCommandFrom } from '../../../src/lambda/sync-events';
import { injects } from '../../integration/faults/fault-count';
import { oneCluster, oneClusterWorld } from '../../support/one-cluster-world';

// Before the handler's logger and metrics are built: hundreds of rejected events would bury the output.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // yaml warns on stderr about every unknown tag (`!!js/function`) the fuzzer writes; those are expected.
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'YAMLWarning') for (const print of printers) print(warning);
  });
});

// Fixed seeds: the same inputs on every run, so a failure reproduces.
const runs = { numRuns: 250, seed: 20261122 };
const root = resolve(import.meta.dirname, '../../..');
const sampleEvents = readdirSync(join(root, 'events'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(root, 'events', f), 'utf8')) as unknown);
const awsAuthFixtures = readdirSync(join(root, 'test/fixtures/aws-auth')).map((f) => {
  const cm = parse(readFileSync(join(root, 'test/fixtures/aws-auth', f), 'utf8')) as {
    data?: Record<string, string>;
  };
  return cm.data ?? {};
});
const exampleConfig = readFileSync(join(root, 'examples/sandbox/access.yaml'), 'utf8');

/** Pieces of YAML that break parsers: anchors and aliases, tags, flow syntax, documents, merges. */
const yamlPiece = fc.constantFrom(
  '- ',
  ': ',
  '\n',
  '  ',
  '    ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '!!map ',
  '!!js/function ',
  '<<: *a',
  '? ',
  '|',
  '>-',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '# c',
  '"',
  "'",
  '\\',
  '~',
  'null',
  'yes',
  'on',
  '0x1f',
  '0o17',
  '1_000',
  '2001-12-14',
  '{{SessionName}}',
  'rolearn',
  'userarn',
  'username',
  'groups',
  'RoLeArN',
  'arn:aws:iam::111122223333:role/a/b',
  'arn:aws:iam::111122223333:user/x',
  'arn:aws:sts::111122223333:assumed-role/r/s',
  'system:masters',
  '\t',
  '\u0000',
  '\u007f',
  '\ud800',
  '😀',
);
const yamlish = fc.array(yamlPiece, { maxLength: 40 }).map((parts) => parts.join(''));
/** A text changed at a few places: characters deleted and random text inserted. */
const mutated = (text: string) =>
  fc
    .array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 4 }), put: fc.oneof(fc.string(), yamlish) }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((edits) =>
      edits.reduce((t, e) => {
        const at = t.length === 0 ? 0 : e.at % t.length;
        return t.slice(0, at) + e.put + t.slice(at + e.cut);
      }, text),
    );
/** A JSON value with one path replaced by anything JSON can hold. */
const withReplacedPath = (value: unknown) =>
  fc.tuple(fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }), fc.jsonValue()).map(([path, v]) => {
    const copy = structuredClone(value) as Record<string, unknown>;
    const keys = (o: unknown) => (o && typeof o === 'object' ? Object.keys(o) : []);
    let at: Record<string, unknown> = copy;
    for (const step of path.slice(0, -1)) {
      const ks = keys(at);
      const next = ks.length > 0 ? at[ks[step.length % ks.length] as string] : undefined;
      if (!next || typeof next !== 'object') break;
      at = next as Record<string, unknown>;
    }
    const ks = keys(at);
    const last = path.at(-1) ?? '';
    at[ks.length > 0 && last.length % 2 === 0 ? (ks[last.length % ks.length] as string) : last] = v;
    return copy as unknown;
  });

const anEvent = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.constantFrom(...sampleEvents).chain(withReplacedPath),
  fc.record(
    { action: fc.jsonValue(), clusters: fc.jsonValue(), force: fc.jsonValue() },
    { requiredKeys: ['action'] },
  ),
);
const aRecordBody = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .constantFrom(...sampleEvents)
    .chain(withReplacedPath)
    .map((v) => JSON.stringify(v)),
  fc.constant(undefined),
  fc.integer(),
);
const anSqsBatch = fc.record({
  Records: fc.array(
    fc.record(
      {
        messageId: fc.oneof(fc.uuid(), fc.jsonValue()),
        eventSource: fc.constant('aws:sqs'),
        body: aRecordBody,
      },
      { requiredKeys: ['eventSource'] },
    ),
    { maxLength: 8 },
  ),
});

/** What a thrown value must be: one of the classes callers branch on, with a message. */
function expectClearError(error: unknown, classes: (abstract new (...args: never[]) => Error)[]) {
  expect(
    classes.some((c) => error instanceof c),
    `unexpected ${String(error)}`,
  ).toBe(true);
  expect((error as Error).message.length).toBeGreaterThan(0);
}

describe('malformed inputs, fuzzed (each ends in a result or a clear error, never a crash or a write)', {
  timeout: 120_000,
}, () => {
  it('turns any event into a command, an ignore or an InvalidEventError', (context) => {
    injects(context, runs.numRuns * 2);
    fc.assert(
      fc.property(anEvent, (event) => {
        try {
          const command = syncCommandFrom(event);
          expect('kind' in command || 'ignored' in command).toBe(true);
        } catch (error) {
          expectClearError(error, [InvalidEventError]);
        }
      }),
      runs,
    );
    fc.assert(
      fc.property(anSqsBatch, (batch) => {
        expect(isSqsBatch(batch)).toBe(true);
        const result = syncBatchFrom(batch);
        // Every record is accounted for: folded into the command, ignored, or rejected with a reason.
        if (batch.Records.length > 0)
          expect(result.rejected.length + result.ignored.length + (result.command ? 1 : 0)).toBeGreaterThan(
            0,
          );
        for (const r of result.rejected) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { ...runs, examples: [[{ Records: [] }]] },
    );
  });

  it('never opens a cluster for an event it rejects or ignores, whatever the handler is given', async (context) => {
    injects(context, runs.numRuns);
    await fc.assert(
      fc.asyncProperty(fc.oneof(anEvent, anSqsBatch), async (event) => {
        const world = oneClusterWorld({
          mapRoles: '- rolearn: arn:aws:iam::111122223333:role/node\n  username: n\n',
        });
        const handle = syncAccessHandler(() => world.deps);
        let result: Awaited<ReturnType<typeof handle>> | undefined;
        try {
          result = await handle(event);
        } catch (error) {
          expectClearError(error, [UnknownClusterError, InvalidEventError]);
        }
        if (!result || !('clusters' in result)) expect(world.opened).toBe(0);
        // The fake IAM has no members and the config maps nothing there: no event can justify a write.
        expect(world.writes).toBe(0);
      }),
      { ...runs, numRuns: runs.numRuns },
    );
  });

  it('reads any access.yaml text into a config or one InvalidConfigError listing the problems', (context) => {
    injects(context, runs.numRuns * 3);
    const check = (text: string) => {
      try {
        parseAccessConfig(text, 'fuzz.yaml');
      } catch (error) {
        expectClearError(error, [InvalidConfigError]);
        expect((error as InvalidConfigError).issues.length).toBeGreaterThan(0);
      }
    };
    fc.assert(fc.property(fc.oneof(fc.string(), yamlish), check), runs);
    fc.assert(fc.property(mutated(exampleConfig), check), runs);
    fc.assert(
      fc.property(withReplacedPath(parse(exampleConfig)), (config) => check(stringify(config))),
      runs,
    );
  });

  it('refuses an alias bomb in access.yaml with InvalidConfigError, not a crash', (context) => {
    injects(context, 1);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
      { length: 8 },
      (_, i) =>
        `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10)
          .fill(i === 0 ? '*a' : `*${'bcdefghi'[i - 1]}`)
          .join(', ')}]`,
    ).join('\n')}\nclusters: *i\n`;
    let thrown: unknown;
    try {
      parseAccessConfig(bomb, 'bomb.yaml');
    } catch (error) {
      thrown = error;
    }
    expectClearError(thrown, [InvalidConfigError]);
  });

  it('parses any aws-auth data or refuses it with AwsAuthParseError', (context) => {
    injects(context, runs.numRuns * 3);
    const check = (data: Record<string, string>, annotations: Record<string, string> = {}) => {
      let parsed = true;
      try {
        parseAwsAuth(data);
        readOwnership(annotations);
      } catch (error) {
        expectClearError(error, [AwsAuthParseError]);
        parsed = false;
      }
      try {
        nextAwsAuth(oneCluster.config, 'one', { data, annotations }, oneCluster.members, {
          force: false,
          now: new Date(0),
        });
      } catch (error) {
        // What parses may still be refused by the encoder's read-back check, never written.
        expectClearError(error, parsed ? [EncodingMismatchError] : [AwsAuthParseError]);
      }
    };
    const key = fc.constantFrom('mapRoles', 'mapUsers', 'mapAccounts', 'MapRoles', 'other');
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(yamlish, fc.string())), (data) => check(data)),
      runs,
    );
    fc.assert(
      fc.property(
        fc
          .constantFrom(...awsAuthFixtures)
          .chain((data) =>
            fc
              .tuple(fc.constant(data), fc.constantFrom(...Object.keys(data)))
              .chain(([d, k]) => mutated(d[k] ?? '').map((text) => ({ ...d, [k]: text }))),
          ),
        (data) => check(data),
      ),
      runs,
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (owned) => check({}, { 'eks-access-sync.io/owned-entries': owned }),
      ),
      runs,
    );
  });

  it('never writes over an aws-auth it cannot parse, and keeps every entry it does not own', async (context) => {
    injects(context, runs.numRuns);
    const cluster = oneCluster.config.clusters[0] as ClusterConfig;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.dictionary(fc.constantFrom('mapRoles', 'mapUsers', 'mapAccounts'), yamlish),
          fc
            .constantFrom(...awsAuthFixtures)
            .chain((data) =>
              fc
                .constantFrom(...Object.keys(data))
                .chain((k) => mutated(data[k] ?? '').map((text) => ({ ...data, [k]: text }))),
            ),
        ),
        async (data) => {
          const world = oneClusterWorld(data);
          let before: ReturnType<typeof parseAwsAuth> | undefined;
          try {
            before = parseAwsAuth(data);
          } catch {
            before = undefined;
          }
          const result = await syncCluster(world.deps, cluster, {
            apply: true,
            force: false,
            members: oneCluster.members,
          });
          if (!before) {
            expect(result.status).toBe('refused');
            expect(world.writes).toBe(0);
            return;
          }
          if (world.writes === 0) return;
          const after = parseAwsAuth(world.current.data).entries;
          for (const entry of before.entries) {
            if (!entry.arn) continue;
            expect(after.find((e) => e.section === entry.section && e.key === entry.key)).toMatchObject({
              username: entry.username,
              groups: entry.groups,
            });
          }
        },
      ),
      runs,
    );
  });

  describe('the render CLI with fuzzed files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-render-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const config = write('access.yaml', exampleConfig);
    const goodIam = {
      'eks-admins': [{ UserName: 'ann', Arn: 'arn:aws:iam::123456789012:user/ann' }],
      'eks-developers': [],
      'eks-readers': [],
    };
    const renderWith = (files: { iam?: string; config?: string; current?: string }) => {
      try {
        const out = render({
          config: files.config ? write('fuzz-access.yaml', files.config) : config,
          cluster: 'sandbox',
          iam: write('iam.json', files.iam ?? JSON.stringify(goodIam)),
          ...(files.current !== undefined ? { current: write('current.yaml', files.current) } : {}),
          force: false,
        });
        expect(out.configMap.length).toBeGreaterThan(0);
      } catch (error) {
        expectClearError(error, [UsageError, DomainError]);
      }
    };
    const user = fc.record(
      {
        UserName: fc.oneof(fc.string(), fc.jsonValue()),
        Arn: fc.oneof(
          fc.string(),
          fc.constantFrom(
            'arn:aws:iam::123456789012:user/x',
            'arn:aws:iam::123456789012:user/a/b/x',
            'arn:aws:iam::123456789012:role/x',
            'arn:aws:sts::123456789012:assumed-role/r/s',
            'arn:aws:iam::12345:user/x',
          ),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );

    it('reads any iam.json into a plan or a UsageError/DomainError', (context) => {
      injects(context, runs.numRuns * 3);
      fc.assert(
        fc.property(fc.oneof(fc.string(), yamlish), (iam) => renderWith({ iam })),
        runs,
      );
      fc.assert(
        fc.property(fc.jsonValue(), (v) => renderWith({ iam: JSON.stringify(v) })),
        runs,
      );
      fc.assert(
        fc.property(
          fc.dictionary(
            fc.constantFrom('eks-admins', 'eks-developers', 'eks-readers', 'x'),
            fc.array(user, { maxLength: 4 }),
          ),
          (groups) => renderWith({ iam: JSON.stringify({ ...goodIam, ...groups }) }),
        ),
        runs,
      );
    });

    it('reads any config or current aws-auth file into a plan or a UsageError/DomainError', (context) => {
      injects(context, runs.numRuns * 2);
      fc.assert(
        fc.property(mutated(exampleConfig), (text) => renderWith({ config: text })),
        runs,
      );
      const currentFixture = readFileSync(
        join(root, 'test/fixtures/aws-auth/node-fargate-windows-roles.yaml'),
        'utf8',
      );
      fc.assert(
        fc.property(fc.oneof(mutated(currentFixture), yamlish), (text) => renderWith({ current: text })),
        runs,
      );
    });
  });
});
