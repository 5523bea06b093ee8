import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { iamSsoRoles } from '../../src/adapters/iam-sso-roles';
import type { IamDirectory } from '../../src/app/ports';
import { syncAccess } from '../../src/app/sync/sync-access';
import { parseAwsAuth } from '../../src/domain/aws-auth/aws-auth';
import { parseAccessConfig } from '../../src/domain/config/config-file';
import { assumeRole, homeAccount, otherAccount, otherAccountRole } from '../e2e/support/identities';
import { iamClient } from '../support/aws-clients';
import { memoryClusters } from '../support/memory-clusters';
import { sandbox } from '../support/sandbox';

const trustAnyone = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
});
const ssoPath = '/aws-reserved/sso.amazonaws.com/eu-west-1/';
const hex16 = () =>
  Array.from({ length: 16 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

async function createRole(iam: IAMClient, name: string, path = ssoPath) {
  await iam.send(
    new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: trustAnyone }),
  );
}

/** IAM with no mapped groups: only the roles matter here. */
const noGroups: IamDirectory = {
  groupMembers: async () => [],
  userGroups: async () => undefined,
};

describe("permission sets are found in each cluster's account in moto (ListRoles under the SSO path)", () => {
  it('maps Developer by the role of each account, without path, and names the account lacking Auditor', async () => {
    // Prepare: Identity Center's roles in two accounts, each with its own random suffix.
    const env = sandbox();
    const id = hex16().slice(0, 8);
    const developer = `Dev${id}`;
    const auditor = `Audit${id}`;
    const lister = `sso-lister-${id}`;
    const homeIam = iamClient();
    await createRole(homeIam, lister, '/');
    await otherAccountRole(lister);
    const otherIam = iamClient({
      credentials: await assumeRole(`arn:aws:iam::${otherAccount}:role/${lister}`, 'setup'),
    });
    const homeDev = `AWSReservedSSO_${developer}_${hex16()}`;
    const otherDev = `AWSReservedSSO_${developer}_${hex16()}`;
    await createRole(homeIam, homeDev);
    await createRole(homeIam, `AWSReservedSSO_${auditor}_${hex16()}`);
    await createRole(otherIam, otherDev);
    // Decoys: another set whose name starts the same, and the set's name outside the SSO path.
    await createRole(otherIam, `AWSReservedSSO_${developer}_Ops_${hex16()}`);
    await createRole(otherIam, `AWSReservedSSO_${auditor}_${hex16()}`, '/not-sso/');
    const config = parseAccessConfig(`
clusters:
  - {name: home-${id}, region: eu-west-1}
  - {name: other-${id}, region: eu-west-1, roleArn: 'arn:aws:iam::${otherAccount}:role/${lister}'}
roles:
  - {permissionSet: ${developer}, username: 'sso-dev:{{SessionName}}', kubernetesGroups: [developers]}
  - {permissionSet: ${auditor}, username: 'sso-audit:{{SessionName}}', kubernetesGroups: [auditors]}
`);
    const clusters = memoryClusters();

    // Act: the production adapter, the function's own credentials at home, the cluster's role elsewhere.
    const summary = await syncAccess({
      config,
      iam: noGroups,
      clusters: clusters.access,
      ssoRoles: iamSsoRoles({
        awsEndpoint: env.aws.endpoint,
        credentials: { accessKeyId: env.aws.accessKeyId, secretAccessKey: env.aws.secretAccessKey },
      }),
    })({ kind: 'reconcile', apply: true, force: false, why: 'test' });

    // Assess
    const roles = (cluster: string) =>
      parseAwsAuth(clusters.awsAuth(cluster)?.data ?? {})
        .entries.map((e) => `${e.arn} ${e.username}`)
        .sort();
    expect(roles(`home-${id}`)).toEqual(
      [
        `arn:aws:iam::${homeAccount}:role/${homeDev} sso-dev:{{SessionName}}`,
        expect.stringMatching(
          new RegExp(`^arn:aws:iam::${homeAccount}:role/AWSReservedSSO_${auditor}_[0-9a-f]{16} sso-audit`),
        ),
      ].sort(),
    );
    expect(roles(`other-${id}`)).toEqual([
      `arn:aws:iam::${otherAccount}:role/${otherDev} sso-dev:{{SessionName}}`,
    ]);
    const other = summary.clusters.find((c) => c.cluster === `other-${id}`);
    expect(other?.status).toBe('updated');
    expect(other?.warnings).toEqual([
      `permission set ${auditor} has no role in account ${otherAccount} of cluster other-${id}: its mapping is skipped there`,
    ]);
    expect(summary.clusters.find((c) => c.cluster === `home-${id}`)?.warnings).toEqual([]);
  });
});
