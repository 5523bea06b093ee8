import { parse, stringify } from 'yaml';
import * as z from 'zod';
import { DomainError } from '../errors';

/** The kubeconfig extension that carries what the tool needs to know about a version, none of it secret. */
export const rotationExtension = 'eks-access-sync.io/rotation';

/** What a kubeconfig version is, besides its token: enough to decide rotation and revocation. */
export interface KubeconfigRecord {
  cluster: string;
  user: string;
  namespace: string;
  serviceAccount: string;
  /** A ServiceAccount deleted and created again has a new uid, and every old token is dead. */
  serviceAccountUid: string;
  /** The per-rotation Secret the token is bound to: deleting it revokes the token. */
  boundSecret: string;
  /** The Secrets Manager version the kubeconfig was written as. */
  versionId: string;
  issuedAt: string;
  expiresAt: string;
}

/** A kubeconfig for one ServiceAccount on one cluster. `token` is a secret: never log this object. */
export interface Kubeconfig {
  server: string;
  /** Base64 PEM of the cluster CA: TLS is always verified against it. */
  caData: string;
  token: string;
  record: KubeconfigRecord;
}

/** A stored kubeconfig that cannot be read. The message never quotes the text: it holds a token. */
export class KubeconfigParseError extends DomainError {
  override name = 'KubeconfigParseError';
}

/** The YAML kubectl reads: one cluster, one user, one context; never insecure-skip-tls-verify. */
export function buildKubeconfig(kubeconfig: Kubeconfig): string {
  const { record } = kubeconfig;
  const context = `${record.user}@${record.cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: record.cluster,
        cluster: { server: kubeconfig.server, 'certificate-authority-data': kubeconfig.caData },
      },
    ],
    users: [{ name: context, user: { token: kubeconfig.token } }],
    contexts: [
      { name: context, context: { cluster: record.cluster, user: context, namespace: record.namespace } },
    ],
    'current-context': context,
    preferences: {},
    extensions: [{ name: rotationExtension, extension: { ...record } }],
  });
}

const recordSchema = z.object({
  cluster: z.string().min(1),
  user: z.string().min(1),
  namespace: z.string().min(1),
  serviceAccount: z.string().min(1),
  serviceAccountUid: z.string().min(1),
  boundSecret: z.string().min(1),
  versionId: z.string().min(1),
  issuedAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
});

const kubeconfigSchema = z.object({
  clusters: z
    .array(
      z.object({
        cluster: z.object({
          server: z.string().min(1),
          'certificate-authority-data': z.string().min(1),
          'insecure-skip-tls-verify': z.literal(false).optional(),
        }),
      }),
    )
    .length(1),
  users: z.array(z.object({ user: z.object({ token: z.string().min(1) }) })).length(1),
  extensions: z.array(z.object({ name: z.string(), extension: z.unknown() })),
});

/** Reads back a kubeconfig this tool wrote. Fails on anything else, naming only the fields. */
export function parseKubeconfig(text: string): Kubeconfig {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: false });
  } catch {
    // No cause on purpose: the parser's message can quote the line it stopped at, the token's line.
    throw new KubeconfigParseError('the kubeconfig is not YAML');
  }
  const parsed = kubeconfigSchema.safeParse(raw);
  if (!parsed.success) throw new KubeconfigParseError(`the kubeconfig lacks ${fields(parsed.error)}`);
  const extension = parsed.data.extensions.find((e) => e.name === rotationExtension);
  const record = recordSchema.safeParse(extension?.extension);
  if (!record.success) {
    throw new KubeconfigParseError(
      `the kubeconfig's ${rotationExtension} extension lacks ${fields(record.error)}`,
    );
  }
  const [cluster] = parsed.data.clusters;
  const [user] = parsed.data.users;
  return {
    server: cluster?.cluster.server ?? '',
    caData: cluster?.cluster['certificate-authority-data'] ?? '',
    token: user?.user.token ?? '',
    record: record.data,
  };
}

/** Field paths only: zod messages may echo a received value. */
function fields(error: z.ZodError): string {
  return [...new Set(error.issues.map((i) => i.path.join('.') || '(document)'))].join(', ');
}
