import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { SsoRoleDirectory } from '../app/sync/permission-set-roles';
import type { ClusterConfig } from '../domain/config/config';
import { type IamRole, ssoRolePathPrefix } from '../domain/config/permission-sets';
import { type AwsAccessOptions, clusterCredentials } from './assume-role';

/** ListRoles (or the role assumed for it) failed in a cluster's account. */
export class SsoRoleListError extends Error {
  override name = 'SsoRoleListError';
}

/**
 * IAM Identity Center roles in each cluster's account: ListRoles under `/aws-reserved/sso.amazonaws.com/`
 * through the cluster's role (the function's own credentials when it has none). Read once per
 * account and role within an invocation, since many clusters share an account.
 */
export function iamSsoRoles(options: AwsAccessOptions & { maxAttempts?: number }): SsoRoleDirectory {
  const credentialsFor = clusterCredentials(options);
  const byAccount = new Map<string, Promise<IamRole[]>>();
  async function list(cluster: ClusterConfig): Promise<IamRole[]> {
    const credentials = (await credentialsFor(cluster)) as AwsCredentialIdentity | undefined;
    // IAM is global; its API lives in us-east-1 (aws partition).
    const iam = new IAMClient({
      region: 'us-east-1',
      maxAttempts: options.maxAttempts ?? 5,
      ...(credentials ? { credentials } : {}),
      ...(options.awsEndpoint ? { endpoint: options.awsEndpoint } : {}),
    });
    const roles: IamRole[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ PathPrefix: ssoRolePathPrefix, Marker: marker }));
      for (const role of page.Roles ?? []) {
        if (role.RoleName && role.Arn)
          roles.push({
            roleName: role.RoleName,
            arn: role.Arn,
            ...(role.RoleId ? { roleId: role.RoleId } : {}),
          });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return roles;
  }
  return {
    rolesFor(cluster) {
      const key = `${cluster.roleArn ?? ''}\n${cluster.externalId ?? ''}`;
      let roles = byAccount.get(key);
      if (!roles) {
        roles = list(cluster).catch((error: Error) => {
          byAccount.delete(key);
          throw new SsoRoleListError(
            `listing the IAM Identity Center roles of cluster ${cluster.name}'s account${cluster.roleArn ? ` through ${cluster.roleArn}` : ''}: ${error.name}: ${error.message}`,
            { cause: error },
          );
        });
        byAccount.set(key, roles);
      }
      return roles;
    },
  };
}
