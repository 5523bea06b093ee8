import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eksClusterLister } from '../src/adapters/eks-cluster-list';
import { discoveredFleet } from '../src/app/fleet/discover-fleet';
import { parseAccessConfig } from '../src/domain/config/config-file';

/**
 * Issue 11 item 6: what finding the fleet costs at scale, 50 accounts x 4 regions x 20 clusters.
 * moto cannot hold that many accounts quickly, so an in-process HTTP fake answers STS AssumeRole and
 * EKS ListClusters (paged as EKS pages: at most maxResults names, then nextToken) and
 * DescribeCluster; the production lister (src/adapters/eks-cluster-list.ts) and fleet cache
 * (src/app/fleet/discover-fleet.ts) run unchanged over real HTTP against it. Every request is
 * counted. Each call can be delayed, to see wall time with the latency of a real API.
 */
const accounts = Array.from({ length: 50 }, (_, i) => String(100000000000 + i));
const regions = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const clustersPerPlace = 20;
/** Of each place's 20, the selector's namePattern matches 15 (team-*), and 12 of those carry its tag. */
const clusterNames = Array.from({ length: clustersPerPlace }, (_, i) =>
  i < 15 ? `team-${i}` : `infra-${i}`,
);
const tagged = (name: string) => /^team-([0-9]|1[01])$/.test(name);

interface Counts {
  AssumeRole: number;
  ListClusters: number;
  DescribeCluster: number;
}

function fakeAws(latencyMs: () => number) {
  const counts: Counts = { AssumeRole: 0, ListClusters: 0, DescribeCluster: 0 };
  const reply = (res: ServerResponse, status: number, type: string, body: string) => {
    setTimeout(() => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    }, latencyMs());
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const scope = /Credential=([^/]+)\/\d+\/([\w-]+)\//.exec(req.headers.authorization ?? '');
      const [accessKey, region] = [scope?.[1] ?? '', scope?.[2] ?? ''];
      if (req.method === 'POST' && url.pathname === '/') {
        counts.AssumeRole++;
        const roleArn = decodeURIComponent(/RoleArn=([^&]+)/.exec(body)?.[1] ?? '');
        const account = /iam::(\d{12}):/.exec(roleArn)?.[1] ?? '000000000000';
        const expiration = new Date(Date.now() + 3600_000).toISOString();
        return reply(
          res,
          200,
          'text/xml',
          `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${account}</AccessKeyId><SecretAccessKey>fake</SecretAccessKey><SessionToken>fake</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${roleArn}/bench</Arn><AssumedRoleId>AROA:bench</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
      }
      const account = accessKey.replace(/^ASIA/, '');
      if (url.pathname === '/clusters') {
        counts.ListClusters++;
        const max = Number(url.searchParams.get('maxResults') ?? 100);
        const start = Number(url.searchParams.get('nextToken') ?? 0);
        const page = clusterNames.slice(start, start + max);
        const next = start + max < clusterNames.length ? String(start + max) : undefined;
        return reply(
          res,
          200,
          'application/json',
          JSON.stringify({ clusters: page, ...(next ? { nextToken: next } : {}) }),
        );
      }
      const name = decodeURIComponent(url.pathname.replace(/^\/clusters\//, ''));
      counts.DescribeCluster++;
      return reply(
        res,
        200,
        'application/json',
        JSON.stringify({
          cluster: {
            name,
            arn: `arn:aws:eks:${region}:${account}:cluster/${name}`,
            status: 'ACTIVE',
            tags: tagged(name) ? { 'eks-access-sync': 'managed' } : {},
            accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
          },
        }),
      );
    });
  });
  return { server, counts };
}

const config = parseAccessConfig(`
bootstrap:
  selectors:
    - namePattern: team-*
      tags: {eks-access-sync: managed}
      accounts: [${accounts.map((a) => `"${a}"`).join(', ')}]
      regions: [${regions.join(', ')}]
      roleArn: arn:aws:iam::{account}:role/eks-access-sync
`);

async function measure(latency: number) {
  const { server, counts } = fakeAws(() => latency);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = { time: Date.now(), now: () => new Date(clock.time) };
  /** A fresh function instance: new credential cache, new fleet cache. */
  const coldFunction = () =>
    discoveredFleet({
      config,
      clock,
      homeRegion: 'us-east-1',
      lister: eksClusterLister({
        awsEndpoint: endpoint,
        credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 'fake' },
      }),
    });
  const step = async (fleet: ReturnType<typeof coldFunction>, times = 1) => {
    const before = { ...counts };
    const started = performance.now();
    const views = await Promise.all(Array.from({ length: times }, () => fleet.clusters()));
    const wallMs = Math.round(performance.now() - started);
    const calls = Object.fromEntries(
      Object.entries(counts).map(([k, v]) => [k, v - before[k as keyof Counts]]),
    ) as unknown as Counts;
    const view = views[0];
    return {
      wallMs,
      calls: { ...calls, total: calls.AssumeRole + calls.ListClusters + calls.DescribeCluster },
      clustersFound: view?.clusters.length ?? 0,
      unreachablePlaces: view?.unreachablePlaces.length ?? 0,
    };
  };
  try {
    const fleet = coldFunction();
    const cold = await step(fleet);
    const warm = await step(fleet);
    clock.time += 61_000; // past the fleet cache's 60 s: listed again, roles still assumed
    const warmAfterTtl = await step(fleet);
    // A burst of 10 membership events arriving together at a cold function: one listing per place.
    const burst = await step(coldFunction(), 10);
    return { latencyPerCallMs: latency, cold, warm, warmAfterTtl, burstOf10EventsCold: burst };
  } finally {
    server.close();
  }
}

export async function fleetDiscoveryScenario() {
  return {
    shape: {
      accounts: accounts.length,
      regions: regions.length,
      places: accounts.length * regions.length,
      clustersPerPlace,
      clusters: accounts.length * regions.length * clustersPerPlace,
      matchingNamePattern: 15,
      matchingTags: 12,
    },
    notes:
      "In-process HTTP fake of STS and EKS (bench/fleet-discovery.ts), the production lister and fleet cache over it. A reconcile and a membership event each ask the fleet once (src/app/fleet/on-fleet.ts), so a cold, warm or after-TTL step is what one reconcile or one event costs in discovery. latencyPerCallMs 0 is the tool's own overhead; 30 adds the round trip of a real regional API to every call.",
    noLatency: await measure(0),
    latency30ms: await measure(30),
  };
}
