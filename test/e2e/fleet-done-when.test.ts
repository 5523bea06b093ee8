import { resolve } from 'node:path';
import { CreateClusterCommand, DeleteClusterCommand } from '@aws-sdk/client-eks';
import { AddUserToGroupCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedSandbox } from '../../scripts/sandbox/seed';
import { eksClient, iamClient } from '../support/aws-clients';
import { sandbox } from '../support/sandbox';
import { lambdaContext, sampleEvent } from './support/functions';

/**
 * Issue 11's "done when", as a person would try it: the example config, the sandbox, and a cluster made
 * with a plain CreateCluster after `sandbox:up` carrying the selector's tags. The functions run as
 * `serverless invoke local --stage sandbox` runs them, with the repository's own event files. In the e2e
 * project (files one at a time): the cluster it makes matches the example's selector, which other files
 * that use the example config would find too; it is deleted again at the end.
 */
const root = resolve(import.meta.dirname, '../..');

describe('a cluster created after sandbox:up that the example selector matches', () => {
  const saved = { ...process.env };
  const name = `sandbox-${Date.now().toString(36)}`;
  let invoke: (e: unknown) => Promise<Record<string, unknown>>;

  beforeAll(async () => {
    await seedSandbox(sandbox());
    process.env.ACCESS_CONFIG_PATH = resolve(root, 'examples/sandbox/access.yaml');
    process.env.SANDBOX_ENV_FILE = inject('sandboxEnvFile');
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    await eksClient().send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
        resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60001'] },
        tags: { 'eks-access-sync': 'managed' },
      }),
    );
    const { handler } = await import('../../handlers/sync-access');
    invoke = async (e) => (await handler(e as never, lambdaContext as never)) as Record<string, unknown>;
  });
  afterAll(async () => {
    process.env = saved;
    await eksClient().send(new DeleteClusterCommand({ name }));
  });

  it('is synced by the scheduled reconcile and by the add-user event, and the fleet lists how it was found', async () => {
    // Act: the schedule's event (events/scheduled-reconcile.json)
    const reconciled = (await invoke(sampleEvent('scheduled-reconcile.json'))) as {
      clusters: { cluster: string; status: string }[];
    };

    // Assess: the listed cluster and the new one, both synced
    const byName = Object.fromEntries(reconciled.clusters.map((c) => [c.cluster, c.status]));
    expect(byName.sandbox).toMatch(/^(updated|unchanged)$/);
    expect(byName[name]).toMatch(/^(updated|unchanged)$/);

    // Act: carol joins eks-developers (events/iam-add-user-to-group.json names exactly that)
    await iamClient().send(new AddUserToGroupCommand({ GroupName: 'eks-developers', UserName: 'carol' }));
    const added = (await invoke(sampleEvent('iam-add-user-to-group.json'))) as {
      clusters: { cluster: string; status: string }[];
    };
    const addedTo = Object.fromEntries(added.clusters.map((c) => [c.cluster, c.status]));
    expect(addedTo.sandbox).toMatch(/^(updated|unchanged)$/);
    expect(addedTo[name]).toMatch(/^(updated|unchanged)$/);

    // Act: the fleet view (events/sync-fleet.json)
    const fleet = JSON.stringify(await invoke(sampleEvent('sync-fleet.json')));
    expect(fleet).toContain(`"cluster":"${name}"`);
    expect(fleet).toMatch(new RegExp(`"cluster":"${name}".*?"foundBy":"bootstrap selector 0`));
  });
});
