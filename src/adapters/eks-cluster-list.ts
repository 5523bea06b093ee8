import {
  DescribeClusterCommand,
  EKSClient,
  type EKSClientConfig,
  ListClustersCommand,
} from '@aws-sdk/client-eks';
import type { ClusterLister } from '../app/fleet/fleet-ports';
import { mapLimited } from '../app/map-limited';
import { authenticationModeOf } from '../domain/access-entries/authentication-mode';
import { globMatches } from '../domain/bootstrap/cluster-selector';
import type { ListedCluster } from '../domain/fleet/fleet-members';
import { type FleetPlace, showPlace } from '../domain/fleet/fleet-places';
import { clusterCredentials } from './assume-role';
import { EksCallError, eksCall, isNotFound } from './eks-call';
import type { EksClustersOptions } from './eks-clusters';

/**
 * Lists a place's clusters: every page of ListClusters, then DescribeCluster (tags, status, mode)
 * only for the names a selector there may match, in the place's account through its role.
 */
export interface ClusterListerOptions extends EksClustersOptions {
  describeConcurrency?: number;
  /** Client configuration for one place only (tests inject a fault there). */
  placeClientConfig?: (place: FleetPlace) => Partial<EKSClientConfig> | undefined;
}

export function eksClusterLister(options: ClusterListerOptions = {}): ClusterLister {
  const credentialsFor = clusterCredentials(options);
  /** The place's role, assumed; its failure says which role and why, as the SDK said it. */
  async function placeCredentials(place: FleetPlace) {
    try {
      return await credentialsFor({ name: '', ...place });
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      const why = cause ? `${cause.name}: ${cause.message}` : (error as Error).message;
      throw new EksCallError(
        `assuming ${place.roleArn} to list the clusters of ${showPlace(place)}: ${why}`,
        {
          cause: error,
        },
      );
    }
  }
  return {
    async list(place: FleetPlace): Promise<ListedCluster[]> {
      const where = showPlace(place);
      const eks = new EKSClient({
        region: place.region,
        credentials: await placeCredentials(place),
        maxAttempts: options.maxAttempts ?? 6,
        ...(options.awsEndpoint ? { endpoint: options.awsEndpoint } : {}),
        ...options.clientConfig,
        ...options.placeClientConfig?.(place),
      });
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await eksCall(`listing the clusters of ${where}`, () =>
          eks.send(new ListClustersCommand({ maxResults: 100, nextToken })),
        );
        names.push(...(page.clusters ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const patterns = place.namePatterns;
      const wanted = names.filter((n) => !patterns || patterns.some((p) => globMatches(p, n))).sort();
      const described = await mapLimited(wanted, options.describeConcurrency ?? 4, async (name) => {
        const answer = await eksCall(
          `describing cluster ${name} in ${where}`,
          () => eks.send(new DescribeClusterCommand({ name })),
          // Deleted between the listing and now: not part of the fleet.
          { when: isNotFound, orElse: undefined },
        );
        return answer?.cluster ? listed(name, place, answer.cluster) : undefined;
      });
      return described.flatMap((c) => (c ? [c] : []));
    },
  };
}

function listed(
  name: string,
  place: FleetPlace,
  found: {
    arn?: string;
    status?: string;
    tags?: Record<string, string>;
    accessConfig?: { authenticationMode?: string };
  },
): ListedCluster {
  // arn:aws:eks:us-east-1:123456789012:cluster/name: the account it really is in.
  const accountId = (found.arn ?? '').split(':')[4] || place.accountId;
  return {
    name,
    region: place.region,
    ...(accountId ? { accountId } : {}),
    status: found.status ?? 'UNKNOWN',
    authenticationMode: authenticationModeOf(found.accessConfig?.authenticationMode),
    tags: { ...(found.tags ?? {}) },
  };
}
