import { ApiException } from '@kubernetes/client-node';
import fc from 'fast-check';
import { isSeq, parse, parseDocument, stringify } from 'yaml';
import type { SandboxEnv } from '../../scripts/sandbox/sandbox';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import {
  encodeOwnership,
  entryDigest,
  ownedAnnotation,
  readOwnership,
} from '../../src/domain/aws-auth/ownership';
import { claimStatus } from '../../src/domain/aws-auth/ownership-claims';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { effectiveWithAuthenticator } from './authenticator';
import { nodeRoles, syncFixture } from './sync-fixture';

/**
 * A model-based test of aws-auth on the sandbox: random sequences of IAM joins and leaves, hand edits
 * (node roles added, entries edited and deleted, ownership claims forged), syncs, plans, rollbacks and
 * concurrent writers, against the real kube-apiserver and moto. After every step the real
 * aws-iam-authenticator parser reads aws-auth: nothing dropped, every entry written by hand exactly as
 * written (so no rollback or sync removed or changed it), and after a sync exactly the expected mappings.
 */

type Fixture = Awaited<ReturnType<typeof syncFixture>>;
type Section = 'mapRoles' | 'mapUsers';
interface HandEntry {
  section: Section;
  arn: string;
  username: string;
  groups: string[];
}

interface Model {
  members: Set<string>;
  /** Entries someone else wrote or last changed, by `section:lower-cased ARN`: they must stay exactly so. */
  hand: Map<string, HandEntry>;
}

interface Real {
  f: Fixture;
  steps: { count: number; rollbacks: Record<string, number> };
  /** The request id of the last rollback that was applied. */
  lastApplied?: string;
  nextId: () => number;
}

const people = ['ann', 'bob', 'cy', 'dee', 'eve', 'fox'];
const ssoRole = 'arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_0123';
const handKey = (section: Section, arn: string) => `${section}:${arn.toLowerCase()}`;

function config(f: Fixture) {
  return parseAccessConfig(f.configText());
}

async function sync(r: Real, apply = true) {
  const summary = await syncAccess(r.f.deps({ config: config(r.f), maxAttempts: 30 }))({
    kind: 'reconcile',
    apply,
    // The mass-removal guard is tested on its own; here every removal the model expects happens.
    force: true,
    why: 'model',
  });
  const result = summary.clusters[0];
  if (!result || result.status === 'error' || result.status === 'refused') {
    throw new Error(`sync ${result?.status}: ${result?.reason}`);
  }
  return result;
}

/** `kubectl edit`: read, change, replace with the resourceVersion read; again on 409. */
async function handEdit(
  r: Real,
  edit: (data: Record<string, string>, annotations: Record<string, string>) => void,
): Promise<void> {
  for (;;) {
    const cm = await r.f.readAwsAuth();
    if (!cm) throw new Error('aws-auth vanished');
    const data = { ...(cm.data ?? {}) };
    const annotations = { ...(cm.metadata.annotations ?? {}) };
    edit(data, annotations);
    try {
      await r.f.replaceAwsAuth({ ...cm, data, metadata: { ...cm.metadata, annotations } });
      return;
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  }
}

/**
 * A section as a person edits it in an editor: items left alone keep their text byte for byte, the
 * ones changed or added are written plainly (as a person would, not as the tool does).
 */
function editList(
  data: Record<string, string>,
  section: Section,
  change: (list: Record<string, unknown>[]) => void,
) {
  const text = data[section] ?? '[]';
  const doc = parseDocument(text, { version: '1.1' });
  const items = isSeq(doc.contents) ? doc.contents.items : [];
  const originals = items.map((item) => {
    const range = (item as { range?: [number, number, number] }).range ?? [0, 0, 0];
    return {
      json: JSON.stringify((item as { toJS: (d: unknown) => unknown }).toJS(doc)),
      text: text.slice(range[0], range[2]),
    };
  });
  const list = (parse(text, { version: '1.1' }) ?? []) as Record<string, unknown>[];
  change(list);
  data[section] = list
    .map((item) => {
      const kept = originals.findIndex((o) => o.json === JSON.stringify(item));
      if (kept < 0) return stringify([item], { version: '1.1' });
      const [original] = originals.splice(kept, 1);
      return `- ${original?.text.trimEnd()}\n`;
    })
    .join('');
}

const arnField = (section: Section) => (section === 'mapRoles' ? 'rolearn' : 'userarn');

/** Whether the tool claims this list item (as a person's editor sees it) with its exact content. */
function isOwned(
  item: Record<string, unknown>,
  section: Section,
  owned: ReturnType<typeof readOwnership>,
): boolean {
  const arn = String(item[arnField(section)] ?? '');
  const groups = Array.isArray(item.groups) ? item.groups.map(String) : [];
  const entry = { section, arn, username: String(item.username ?? ''), groups };
  return owned[section].get(arn.toLowerCase()) === entryDigest(entry);
}

/** Runs `step`, then reads aws-auth with the real authenticator and checks what must always hold. */
async function checked(m: Model, r: Real, step: () => Promise<void>, afterSync = false): Promise<void> {
  await step();
  r.steps.count++;
  const data = (await r.f.readAwsAuth())?.data ?? {};
  const view = effectiveWithAuthenticator(data);
  if (view.error) throw new Error(`the authenticator drops part of aws-auth: ${view.error}`);
  const read = new Map<string, HandEntry>();
  for (const u of view.users)
    read.set(handKey('mapUsers', u.userarn), {
      section: 'mapUsers',
      arn: u.userarn,
      username: u.username,
      groups: u.groups ?? [],
    });
  for (const ro of view.roles) {
    if (ro.rolearn)
      read.set(handKey('mapRoles', ro.rolearn), {
        section: 'mapRoles',
        arn: ro.rolearn,
        username: ro.username,
        groups: ro.groups ?? [],
      });
  }
  for (const [key, entry] of m.hand) {
    const now = read.get(key);
    if (JSON.stringify([now?.username, now?.groups]) !== JSON.stringify([entry.username, entry.groups])) {
      throw new Error(
        `an entry written by hand was lost or changed: ${JSON.stringify(entry)} is now ${JSON.stringify(now)}`,
      );
    }
  }
  if (!afterSync) return;
  const expected = new Map<string, HandEntry>();
  for (const p of m.members) {
    const arn = r.f.userArn(p);
    expected.set(handKey('mapUsers', arn), {
      section: 'mapUsers',
      arn,
      username: r.f.user(p),
      groups: ['cluster-reader', 'developers'],
    });
  }
  expected.set(handKey('mapRoles', ssoRole), {
    section: 'mapRoles',
    arn: ssoRole,
    username: 'sso-dev:{{SessionName}}',
    groups: ['developers'],
  });
  for (const [key, want] of expected) {
    if (m.hand.has(key)) continue; // someone else's entry for that ARN wins, reported as a conflict or drift
    const now = read.get(key);
    if (JSON.stringify([now?.username, now?.groups]) !== JSON.stringify([want.username, want.groups])) {
      throw new Error(
        `after a sync ${want.arn} should read ${JSON.stringify(want)}, reads ${JSON.stringify(now)}`,
      );
    }
  }
  for (const key of read.keys()) {
    if (!expected.has(key) && !m.hand.has(key))
      throw new Error(`after a sync ${key} is mapped, but nobody wants it`);
  }
}

class Join implements fc.AsyncCommand<Model, Real> {
  constructor(readonly person: string) {}
  check = (m: Readonly<Model>) => !m.members.has(this.person);
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      await r.f.addToGroup(this.person, 'devs');
      m.members.add(this.person);
    });
  toString = () => `join(${this.person})`;
}

class Leave implements fc.AsyncCommand<Model, Real> {
  constructor(readonly person: string) {}
  check = (m: Readonly<Model>) => m.members.has(this.person);
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      await r.f.removeFromGroup(this.person, 'devs');
      m.members.delete(this.person);
    });
  toString = () => `leave(${this.person})`;
}

class Sync implements fc.AsyncCommand<Model, Real> {
  constructor(readonly writers: number) {}
  check = () => true;
  run = (m: Model, r: Real) =>
    checked(
      m,
      r,
      async () => {
        await Promise.all(Array.from({ length: this.writers }, () => sync(r)));
      },
      true,
    );
  toString = () => (this.writers === 1 ? 'sync' : `sync×${this.writers} concurrently`);
}

class Plan implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      const before = (await r.f.readAwsAuth())?.metadata.resourceVersion;
      await sync(r, false);
      const after = (await r.f.readAwsAuth())?.metadata.resourceVersion;
      if (before !== after) throw new Error('a plan wrote aws-auth');
    });
  toString = () => 'plan';
}

/** A rollback with a new request id, or a retry of the last applied one (a Lambda retry, a re-sent --data). */
class Rollback implements fc.AsyncCommand<Model, Real> {
  constructor(readonly retry: boolean) {}
  check = () => true;
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      const requestId = this.retry && r.lastApplied ? r.lastApplied : `rb-${r.nextId()}`;
      const before = (await r.f.readAwsAuth())?.metadata.resourceVersion;
      const summary = await syncAccess(r.f.deps({ config: config(r.f) }))({
        kind: 'rollback',
        why: 'model',
        requestId,
      });
      const status = summary.clusters[0]?.status ?? 'none';
      r.steps.rollbacks[status] = (r.steps.rollbacks[status] ?? 0) + 1;
      if (status === 'error') throw new Error(`rollback failed: ${summary.clusters[0]?.reason}`);
      if (status === 'updated') r.lastApplied = requestId;
      if (requestId === r.lastApplied && status !== 'updated') {
        const after = (await r.f.readAwsAuth())?.metadata.resourceVersion;
        if (status !== 'unchanged' || before !== after)
          throw new Error(`a retried rollback ${requestId} applied again`);
      }
    });
  toString = () => (this.retry ? 'retry the last rollback' : 'rollback');
}

/** A node group created by hand, optionally while a sync runs (a concurrent writer). */
class AddNodeRole implements fc.AsyncCommand<Model, Real> {
  constructor(readonly duringSync: boolean) {}
  check = () => true;
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      const arn = `arn:aws:iam::123456789012:role/nodes-${r.nextId()}`;
      const entry = {
        section: 'mapRoles' as const,
        arn,
        username: 'system:node:{{EC2PrivateDNSName}}',
        groups: ['system:bootstrappers', 'system:nodes'],
      };
      const add = handEdit(r, (data) => {
        editList(data, 'mapRoles', (list) =>
          list.push({ rolearn: arn, username: entry.username, groups: entry.groups }),
        );
      });
      await Promise.all([add, ...(this.duringSync ? [sync(r)] : [])]);
      m.hand.set(handKey('mapRoles', arn), entry);
    });
  toString = () => `add node role${this.duringSync ? ' during a sync' : ''}`;
}

/** Someone edits (new groups) or deletes the n-th entry of a section, whoever wrote it. */
class HandChange implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly section: Section,
    readonly n: number,
    readonly kind: 'edit' | 'delete' | 'editOwned',
  ) {}
  check = () => true;
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      await handEdit(r, (data, annotations) => {
        editList(data, this.section, (list) => {
          // editOwned: an entry the tool wrote and still owns, which a rollback of that write must then leave alone.
          const owned = readOwnership(annotations);
          const candidates = list
            .map((item, i) => ({ item, i }))
            .filter(({ item }) => this.kind !== 'editOwned' || isOwned(item, this.section, owned));
          if (candidates.length === 0) return;
          const i = (candidates[this.n % candidates.length] as { i: number }).i;
          const item = list[i] as Record<string, unknown>;
          const arn = String(item[arnField(this.section)]);
          if (this.kind === 'delete') {
            list.splice(i, 1);
            m.hand.delete(handKey(this.section, arn));
          } else {
            // One group, so sorted and unique: only its text tells a first-format claim it is not the tool's.
            item.groups = [`edited-${r.nextId()}`];
            m.hand.set(handKey(this.section, arn), {
              section: this.section,
              arn,
              username: String(item.username),
              groups: item.groups as string[],
            });
          }
        });
      });
    });
  toString = () => `${this.kind} ${this.section}[${this.n}] by hand`;
}

/** Someone hand-maps a person (a member or not) the tool has no entry for. */
class HandMapUser implements fc.AsyncCommand<Model, Real> {
  constructor(readonly person: string) {}
  check = () => true;
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      const arn = r.f.userArn(this.person);
      await handEdit(r, (data) => {
        if (
          parseAwsAuth(data).entries.some(
            (e) => e.section === 'mapUsers' && e.arn.toLowerCase() === arn.toLowerCase(),
          )
        )
          return;
        editList(data, 'mapUsers', (list) =>
          list.push({ userarn: arn, username: `hand-${this.person}`, groups: ['hand'] }),
        );
        m.hand.set(handKey('mapUsers', arn), {
          section: 'mapUsers',
          arn,
          username: `hand-${this.person}`,
          groups: ['hand'],
        });
      });
    });
  toString = () => `map ${this.person} by hand`;
}

/** A copied or edited ownership annotation claiming entries the tool did not write. */
class ForgeClaims implements fc.AsyncCommand<Model, Real> {
  constructor(readonly format: 'digest' | 'keys') {}
  check = (m: Readonly<Model>) => m.hand.size > 0;
  run = (m: Model, r: Real) =>
    checked(m, r, async () => {
      await handEdit(r, (data, annotations) => {
        const entries = parseAwsAuth(data).entries;
        const owned = readOwnership(annotations);
        const isHand = (e: (typeof entries)[number]) => m.hand.has(handKey(e.section, e.arn));
        const node = (e: (typeof entries)[number]) => isHand(e) && e.username.startsWith('system:node:');
        if (this.format === 'digest') {
          // A claim still in the first format is carried over with its digest, as the tool's migration does.
          for (const e of entries)
            if (owned[e.section].has(e.key) && owned[e.section].get(e.key) === undefined)
              owned[e.section].set(e.key, entryDigest(e));
          // A node role's claim carries even the right digest; any other entry's a digest of something else.
          for (const e of entries.filter(isHand))
            owned[e.section].set(e.key, node(e) ? entryDigest(e) : 'forged00');
          annotations[ownedAnnotation] = encodeOwnership(owned);
          return;
        }
        // The first format, as a cluster carries it before the upgrade, plus the node roles: the tool's
        // intact entries stay claimed (the migration keeps them), every other claim is gone.
        const intact = (e: (typeof entries)[number]) =>
          claimStatus(e, owned, { allowSystemMasters: true }) === 'owned';
        const keys = (section: Section) =>
          entries.filter((e) => e.section === section && (node(e) || intact(e))).map((e) => e.key);
        annotations[ownedAnnotation] = JSON.stringify({
          mapRoles: keys('mapRoles'),
          mapUsers: keys('mapUsers'),
        });
      });
    });
  toString = () => `forge ownership claims (${this.format})`;
}

const commands = [
  fc.constantFrom(...people).map((p) => new Join(p)),
  fc.constantFrom(...people).map((p) => new Leave(p)),
  fc.integer({ min: 1, max: 3 }).map((n) => new Sync(n)),
  fc.constant(new Plan()),
  // Twice as likely as the others: a rollback after a sync and a hand edit is where an undo can go wrong.
  fc.boolean().map((retry) => new Rollback(retry)),
  fc.constant(new Rollback(false)),
  fc.boolean().map((b) => new AddNodeRole(b)),
  fc
    .tuple(
      fc.constantFrom<Section>('mapRoles', 'mapUsers'),
      fc.nat(20),
      fc.constantFrom<'edit' | 'delete' | 'editOwned'>('edit', 'delete', 'editOwned', 'editOwned'),
    )
    .map(([s, n, k]) => new HandChange(s, n, k)),
  fc.constantFrom(...people).map((p) => new HandMapUser(p)),
  fc.constantFrom<'digest' | 'keys'>('digest', 'keys').map((f) => new ForgeClaims(f)),
];

export interface ModelRun {
  seed: number;
  runs: number;
  steps: number;
  /** How the rollbacks ended: `updated`, `refused` (no record bound to the last write), `unchanged`. */
  rollbacks: Record<string, number>;
  seconds: number;
}

/** Runs the model `runs` times, up to `maxCommands` steps each, on fresh aws-auths; throws with the failing sequence. */
export async function runAwsAuthModel(options: {
  seed: number;
  runs: number;
  maxCommands: number;
  /** The sandbox to run on; the test suite's when absent. */
  env?: SandboxEnv;
}): Promise<ModelRun> {
  const steps = { count: 0, rollbacks: {} as Record<string, number> };
  const started = Date.now();
  let id = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.commands(commands, { maxCommands: options.maxCommands, size: 'max' }),
      async (cmds) => {
        const f = await syncFixture({
          groups: { admins: [], devs: [] },
          ...(options.env ? { env: options.env } : {}),
        });
        await f.putAwsAuth({ mapRoles: nodeRoles });
        const hand = new Map<string, HandEntry>();
        for (const e of parseAwsAuth({ mapRoles: nodeRoles }).entries)
          hand.set(handKey(e.section, e.arn), { ...e });
        await fc.asyncModelRun(
          () => ({ model: { members: new Set<string>(), hand }, real: { f, steps, nextId: () => ++id } }),
          cmds,
        );
      },
    ),
    { seed: options.seed, numRuns: options.runs, endOnFailure: true },
  );
  return {
    seed: options.seed,
    runs: options.runs,
    steps: steps.count,
    rollbacks: steps.rollbacks,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
