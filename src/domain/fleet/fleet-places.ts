import type { ClusterSelector } from '../bootstrap/cluster-bootstrap';
import type { AccessConfig } from '../config/config';

/**
 * Where the bootstrap selectors' clusters can be: one account and region, listed with one
 * ListClusters, reached through a selector's role (or the function's own credentials).
 */
export interface FleetPlace {
  /** Undefined: the account the function's own credentials (or `roleArn`'s account) lead to. */
  accountId?: string;
  region: string;
  roleArn?: string;
  externalId?: string;
  /** Name patterns of the selectors that look here; none when some selector matches any name here. */
  namePatterns?: string[];
}

/** `account 111122223333 in eu-west-1`, `the function's account in us-east-1`: for reports a person reads. */
export function showPlace(place: Pick<FleetPlace, 'accountId' | 'region'>): string {
  return `${place.accountId ? `account ${place.accountId}` : "the function's account"} in ${place.region}`;
}

/** Account and region: one listing per key, whichever selectors share it. */
export function placeKey(place: Pick<FleetPlace, 'accountId' | 'region'>): string {
  return `${place.accountId ?? 'home'}/${place.region}`;
}

/**
 * Every place the selectors look in, sorted by key, one per account and region. A selector without
 * `accounts` looks in its role's account (or the function's own); without `regions`, in the
 * function's own region only: listing every region of every account would cost more than it finds.
 * When selectors share a place, the first one's role lists it, and a pattern-less selector there
 * means every cluster's name may match.
 */
export function fleetPlaces(config: AccessConfig, homeRegion: string): FleetPlace[] {
  const places = new Map<string, FleetPlace>();
  for (const selector of config.bootstrap?.selectors ?? []) {
    for (const accountId of accountsOf(selector)) {
      for (const region of selector.regions ?? [homeRegion]) {
        const key = placeKey({ accountId, region });
        const known = places.get(key);
        if (known) {
          known.namePatterns = mergePatterns(known.namePatterns, selector.namePattern);
          continue;
        }
        const roleArn = selector.roleArn?.replaceAll('{account}', accountId ?? '');
        places.set(key, {
          ...(accountId ? { accountId } : {}),
          region,
          ...(roleArn ? { roleArn } : {}),
          ...(selector.externalId ? { externalId: selector.externalId } : {}),
          ...(selector.namePattern ? { namePatterns: [selector.namePattern] } : {}),
        });
      }
    }
  }
  return [...places.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, place]) => place);
}

function accountsOf(selector: ClusterSelector): (string | undefined)[] {
  if (selector.accounts) return selector.accounts;
  // `{account}` always comes with `accounts` (the schema says so): a role here names its account.
  const fromRole = selector.roleArn?.match(/^arn:[\w-]+:iam::(\d{12}):/)?.[1];
  return [fromRole];
}

function mergePatterns(known: string[] | undefined, added: string | undefined): string[] | undefined {
  if (!known || !added) return undefined;
  return [...new Set([...known, added])].sort();
}
