import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir, contentKey } from '../../scripts/sandbox/cache';

/**
 * Harness around the real aws-iam-authenticator parser (pkg/mapper/configmap.ParseMap), built from the Go
 * module in test/authenticator. Lets tests check that an aws-auth ConfigMap's data is read by the EKS
 * authenticator exactly as we intend.
 */

const moduleDir = resolve(import.meta.dirname, '../authenticator');
const sources = ['go.mod', 'go.sum', 'main.go'].map((f) => join(moduleDir, f));

/** The sigs.k8s.io/aws-iam-authenticator version the harness is built from (as pinned in its go.mod). */
export function authenticatorVersion(): string {
  const match = /^\s*(?:require\s+)?sigs\.k8s\.io\/aws-iam-authenticator\s+(v\S+)/m.exec(
    readFileSync(join(moduleDir, 'go.mod'), 'utf8'),
  );
  if (!match?.[1])
    throw new Error('sigs.k8s.io/aws-iam-authenticator is not required in test/authenticator/go.mod');
  return match[1];
}

interface MappingCommon {
  username: string;
  /** null when the entry has no (readable) groups. */
  groups: string[] | null;
  userid?: string;
  /** The mapping's Key(): what the authenticator indexes it by (role ARNs lower-cased, user ARNs as written). */
  key: string;
  /** The mapping's Validate() error, if any. */
  validationError: string | null;
}

export interface AuthenticatorUserMapping extends MappingCommon {
  userarn: string;
}

export interface AuthenticatorRoleMapping extends MappingCommon {
  rolearn?: string;
  sso?: { permissionSetName: string; accountID: string; partition?: string };
}

/** What ParseMap returned, fields named as the authenticator's own structs (config.UserMapping, config.RoleMapping). */
export interface AuthenticatorView {
  users: AuthenticatorUserMapping[];
  roles: AuthenticatorRoleMapping[];
  accounts: string[];
}

/** What a running authenticator holds after seeing the ConfigMap: the good part, plus the error it logged. */
export interface AuthenticatorEffectiveView extends AuthenticatorView {
  error?: string;
}

/** Path of the cached parser binary, building it first when go.mod, go.sum or main.go changed. */
export function authenticatorBinary(log: (line: string) => void = console.error): string {
  const dir = join(cacheDir(), `authenticator-parse-${contentKey(sources)}`);
  const binary = join(dir, 'authenticator-parse');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(
    `building the aws-iam-authenticator ${authenticatorVersion()} parser harness (first time only, a few minutes)…`,
  );
  const started = Date.now();
  const tmp = `${binary}.tmp-${process.pid}`;
  const build = spawnSync(
    'go',
    ['build', '-trimpath', '-buildvcs=false', '-ldflags', '-s -w', '-o', tmp, '.'],
    {
      cwd: moduleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
    },
  );
  if (build.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(
      `building authenticator-parse failed (go build ${build.error ? build.error.message : `exit ${build.status ?? build.signal}`})`,
    );
  }
  renameSync(tmp, binary);
  log(`built in ${Math.round((Date.now() - started) / 1000)}s: ${binary}`);
  return binary;
}

function run(data: Record<string, string>, args: string[]): { status: number | null; output: unknown } {
  const result = spawnSync(authenticatorBinary(), args, {
    input: JSON.stringify(data),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.error) throw new Error(`running authenticator-parse: ${result.error.message}`);
  let output: unknown;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `authenticator-parse exited ${result.status ?? result.signal} without a JSON answer: ${result.stderr.trim()}`,
    );
  }
  return { status: result.status, output };
}

/**
 * ParseMap on the ConfigMap data. Throws an Error carrying the authenticator's own message when ParseMap
 * reports any error (the running authenticator would then have dropped part of the ConfigMap).
 */
export function parseWithAuthenticator(data: Record<string, string>): AuthenticatorView {
  const { status, output } = run(data, []);
  if (status !== 0) {
    const message = (output as { error?: string }).error ?? `authenticator-parse exited ${status}`;
    throw new Error(message);
  }
  return output as AuthenticatorView;
}

/**
 * What the running authenticator keeps after seeing this ConfigMap: on a parse error it logs the error and
 * still uses whatever ParseMap returned (a block whose YAML fails is dropped whole; entries failing
 * validation are dropped one by one). Entries are de-duplicated by key (later wins) and sorted by key.
 */
export function effectiveWithAuthenticator(data: Record<string, string>): AuthenticatorEffectiveView {
  const { status, output } = run(data, ['--check']);
  if (status !== 0) {
    throw new Error((output as { error?: string }).error ?? `authenticator-parse --check exited ${status}`);
  }
  return output as AuthenticatorEffectiveView;
}
