import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { PollerSettings } from './sqs-poller';

const root = resolve(import.meta.dirname, '..');

/** The lead's defaults for the SQS event source, used (and said so) when serverless.yml lacks them. */
const fallback: PollerSettings = {
  batchSize: 100,
  maximumBatchingWindowSeconds: 5,
  maximumConcurrency: 2,
  visibilityTimeoutSeconds: 720,
};

// CloudFormation short forms (!GetAtt, !Ref, …) are kept as plain values; only the numbers matter here.
const cfnTags = ['!GetAtt', '!Ref', '!Sub', '!Join', '!If', '!Equals', '!Not', '!Select', '!Split'].map(
  (tag) => ({ tag, resolve: (value: string) => value }),
);

function yamlFile(file: string): unknown {
  return parseDocument(readFileSync(file, 'utf8'), { customTags: cfnTags, logLevel: 'silent' }).toJS();
}

/** syncAccess's SQS settings as serverless.yml and its queue resource declare them. */
export function syncAccessPollerSettings(): { settings: PollerSettings; source: string } {
  const sls = yamlFile(resolve(root, 'serverless.yml')) as {
    functions?: Record<string, { events?: Record<string, Record<string, unknown>>[] }>;
  };
  const sqs = sls.functions?.syncAccess?.events?.find((e) => e.sqs)?.sqs as
    | { batchSize?: number; maximumBatchingWindow?: number; maximumConcurrency?: number }
    | undefined;
  if (!sqs)
    return {
      settings: fallback,
      source: "serverless.yml has no sqs event on syncAccess yet: the lead's stated settings",
    };
  let visibility = fallback.visibilityTimeoutSeconds;
  const resources = resolve(root, 'serverless/sync-access.yml');
  if (existsSync(resources)) {
    const queue = (
      yamlFile(resources) as { Resources?: Record<string, { Properties?: { VisibilityTimeout?: number } }> }
    ).Resources?.IamEventsQueue;
    visibility = queue?.Properties?.VisibilityTimeout ?? visibility;
  }
  return {
    settings: {
      batchSize: sqs.batchSize ?? 10,
      // Lambda's default batching window for standard queues is 0.
      maximumBatchingWindowSeconds: sqs.maximumBatchingWindow ?? 0,
      // No maximumConcurrency: Lambda scales pollers up to 1,000; the bench would then need a number.
      maximumConcurrency: sqs.maximumConcurrency ?? 1000,
      visibilityTimeoutSeconds: visibility,
    },
    source: 'serverless.yml functions.syncAccess.events[sqs] and serverless/sync-access.yml IamEventsQueue',
  };
}
