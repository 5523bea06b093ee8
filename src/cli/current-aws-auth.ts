import { parse } from 'yaml';
import * as z from 'zod';
import { UsageError } from './cli-error';

/** `kubectl -n kube-system get cm aws-auth -o yaml`, every field kept for the ConfigMap render prints. */
export interface CurrentAwsAuth {
  object: Record<string, unknown> & { metadata: Record<string, unknown> };
  data: Record<string, string>;
  annotations: Record<string, string>;
}

const strings = z.record(z.string(), z.string());
const metadataSchema = z.looseObject({
  annotations: strings.optional(),
  labels: strings.optional(),
});
const configMapSchema = z.looseObject({
  metadata: metadataSchema,
  data: strings.optional(),
  binaryData: strings.optional(),
});

/**
 * Only the ConfigMap kube-system/aws-auth is read as the current aws-auth: anything else (a List, a
 * Secret, `{}`) would read as an empty one, and the ConfigMap printed from it would lack the node roles.
 */
export function readCurrentAwsAuth(text: string, file: string): CurrentAwsAuth {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const object = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<
    string,
    unknown
  >;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const what =
    object.kind === undefined
      ? 'not a Kubernetes object (no kind)'
      : `${String(object.apiVersion)} ${String(object.kind)} ${String(metadata.namespace)}/${String(metadata.name)}`;
  if (
    object.apiVersion !== 'v1' ||
    object.kind !== 'ConfigMap' ||
    metadata.name !== 'aws-auth' ||
    metadata.namespace !== 'kube-system'
  ) {
    throw new UsageError(
      `${file} is ${what}, not the v1 ConfigMap kube-system/aws-auth (kubectl -n kube-system get cm aws-auth -o yaml)`,
    );
  }
  const parsed = configMapSchema.safeParse(object);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new UsageError(`${file}: the ConfigMap's ${where} (every value must be a string)`);
  }
  return {
    object: { ...object, metadata },
    data: parsed.data.data ?? {},
    annotations: parsed.data.metadata.annotations ?? {},
  };
}
