import {
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { eksClusterLister } from '../../../src/adapters/eks-cluster-list';

const eks = mockClient(EKSClient);
const sts = mockClient(STSClient);
afterEach(() => {
  eks.reset();
  sts.reset();
});

const account = '222233334444';
const place = {
  accountId: account,
  region: 'eu-west-1',
  roleArn: `arn:aws:iam::${account}:role/eks-access-sync`,
  namePatterns: ['team-*'],
};
const credentials = { accessKeyId: 'k', secretAccessKey: 's' };

describe('listing a place (EKS and STS faults injected in-process)', () => {
  it('reads every page of ListClusters and describes only the names a selector there may match', async () => {
    // Prepare: 3 pages, as EKS pages at most 100 names; one name vanishes before it is described.
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'a',
        SecretAccessKey: 'b',
        SessionToken: 'c',
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    eks
      .on(ListClustersCommand, { nextToken: undefined })
      .resolves({ clusters: ['team-a', 'ops-1'], nextToken: 'p2' })
      .on(ListClustersCommand, { nextToken: 'p2' })
      .resolves({ clusters: ['team-b'], nextToken: 'p3' })
      .on(ListClustersCommand, { nextToken: 'p3' })
      .resolves({ clusters: ['team-gone'] });
    eks.on(DescribeClusterCommand).callsFake(({ name }) => {
      if (name === 'team-gone')
        throw new ResourceNotFoundException({ message: 'No cluster found', $metadata: {} });
      return {
        cluster: {
          name,
          arn: `arn:aws:eks:eu-west-1:${account}:cluster/${name}`,
          status: 'ACTIVE',
          tags: { team: String(name) },
          accessConfig: { authenticationMode: 'API' },
        },
      };
    });

    // Act
    const listed = await eksClusterLister({ credentials, maxAttempts: 1 }).list(place);

    // Assess
    expect(listed).toEqual([
      {
        name: 'team-a',
        region: 'eu-west-1',
        accountId: account,
        status: 'ACTIVE',
        authenticationMode: 'API',
        tags: { team: 'team-a' },
      },
      {
        name: 'team-b',
        region: 'eu-west-1',
        accountId: account,
        status: 'ACTIVE',
        authenticationMode: 'API',
        tags: { team: 'team-b' },
      },
    ]);
    expect(eks.commandCalls(ListClustersCommand)).toHaveLength(3);
    expect(
      eks
        .commandCalls(DescribeClusterCommand)
        .map((c) => c.args[0].input.name)
        .sort(),
    ).toEqual(['team-a', 'team-b', 'team-gone']);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(place.roleArn);
  });

  it('says which role could not be assumed for which place, and lists nothing there', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(
        new Error(`User is not authorized to perform: sts:AssumeRole on resource: ${place.roleArn}`),
        {
          name: 'AccessDenied',
        },
      ),
    );

    // Act
    const listing = eksClusterLister({ credentials, maxAttempts: 1 }).list(place);

    // Assess
    await expect(listing).rejects.toThrow(
      `assuming ${place.roleArn} to list the clusters of account ${account} in eu-west-1: AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: ${place.roleArn}`,
    );
    expect(eks.commandCalls(ListClustersCommand)).toHaveLength(0);
  });

  it('fails the whole place when a later page is throttled: a partial listing is never a fleet', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'a',
        SecretAccessKey: 'b',
        SessionToken: 'c',
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    eks
      .on(ListClustersCommand, { nextToken: undefined })
      .resolves({ clusters: ['team-a'], nextToken: 'p2' })
      .on(ListClustersCommand, { nextToken: 'p2' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const listing = eksClusterLister({ credentials, maxAttempts: 1 }).list({
      ...place,
      roleArn: `${place.roleArn}-2`,
    });

    // Assess
    await expect(listing).rejects.toThrow(
      `listing the clusters of account ${account} in eu-west-1: ThrottlingException: Rate exceeded`,
    );
  });
});
