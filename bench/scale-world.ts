import { mapLimited } from '../src/app/map-limited';
import type { AccessConfig } from '../src/domain/config/config';
import { KubeTally, type TallySnapshot } from './kube-tally';
import { counter, progress } from './progress';
import { configFrom, type GroupPlan, personNames, type World } from './world';

export const clusterNames = ['prod-east', 'prod-west', 'staging'];
export const namespaceOf = (cluster: string) => `bench-${cluster}`;

/**
 * 100 mapped groups over 3 clusters: groups 0–79 on every cluster, 80–89 on the two prod
 * clusters, 90–99 on staging only (so a membership event has clusters it must not touch).
 */
export function scaleGroups(count = 100): GroupPlan[] {
  return Array.from({ length: count }, (_, i) => {
    const id = String(i).padStart(3, '0');
    const clusters = i >= 90 ? ['staging'] : i >= 80 ? ['prod-east', 'prod-west'] : undefined;
    return { name: `eks-team-${id}`, kubernetesGroup: `team-${id}`, ...(clusters ? { clusters } : {}) };
  });
}

/** The scale world shared by the reconcile, event and burst scenarios. */
export class ScaleWorld {
  readonly groups = scaleGroups();
  readonly config: AccessConfig = configFrom(clusterNames, this.groups);
  /** group → members, as the bench put them into IAM (checked against IAM after seeding). */
  readonly members = new Map<string, Set<string>>(this.groups.map((g) => [g.name, new Set<string>()]));
  readonly tallies = new Map<string, KubeTally>(clusterNames.map((c) => [c, new KubeTally()]));
  users: string[] = [];
  /** Burst runs so far (names the hand edits of each apart). */
  runs = 0;
  /** Hand-written entries put into each cluster's aws-auth so far (they must survive every later run). */
  readonly handEdits = new Map<string, string[]>(clusterNames.map((c) => [c, []]));

  constructor(readonly world: World) {}

  groupName(i: number): string {
    return this.groups[i]?.name as string;
  }

  clustersOf(group: string): string[] {
    return this.groups.find((g) => g.name === group)?.clusters ?? clusterNames;
  }

  membersMap(): Map<string, string[]> {
    return new Map([...this.members].map(([g, s]) => [g, [...s]]));
  }

  async add(user: string, group: string): Promise<void> {
    await this.world.addToGroup(user, group);
    this.members.get(group)?.add(user);
  }

  async remove(user: string, group: string): Promise<void> {
    await this.world.removeFromGroup(user, group);
    this.members.get(group)?.delete(user);
  }

  /**
   * `userCount` users; user i is in group i mod 100 (50 each), and the first half also in one of
   * the ten big groups 0–9 (so those hold ~300 members: three IAM pages each).
   */
  async seed(userCount: number): Promise<{ memberships: number; seedMs: number }> {
    const started = Date.now();
    for (const c of clusterNames) await this.world.cluster(namespaceOf(c));
    await this.world.createGroups(this.groups.map((g) => g.name));
    this.users = personNames(userCount);
    progress('seed', `creating ${userCount} IAM users in moto`);
    await this.world.createUsers(this.users, counter('seed', 'users', userCount));
    const pairs: [string, string][] = [];
    this.users.forEach((user, i) => {
      pairs.push([user, this.groupName(i % 100)]);
      if (i < userCount / 2 && i % 10 !== i % 100) pairs.push([user, this.groupName(i % 10)]);
    });
    const tick = counter('seed', 'group memberships', pairs.length);
    await mapLimited(pairs, 8, async ([user, group]) => {
      await this.add(user, group);
      tick();
    });
    const truth = await this.world.groupMembers(this.groups.map((g) => g.name));
    for (const [group, users] of truth) {
      if (users.length !== this.members.get(group)?.size)
        throw new Error(
          `seeding: IAM group ${group} has ${users.length} members, expected ${this.members.get(group)?.size}`,
        );
    }
    return { memberships: pairs.length, seedMs: Date.now() - started };
  }

  tallySnapshot(): Record<string, TallySnapshot> {
    return Object.fromEntries([...this.tallies].map(([c, t]) => [c, t.snapshot()]));
  }
}
