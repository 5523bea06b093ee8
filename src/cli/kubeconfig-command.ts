import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseAccessConfig } from '../domain/config/config-file';
import { DomainError, InvalidConfigError } from '../domain/errors';
import { clustersOf, secretNameFor } from '../domain/rotation/external-users';
import { KubeconfigParseError, parseKubeconfig } from '../domain/rotation/kubeconfig';
import { exitCodes } from './cli-error';
import { PrivateFileError, writePrivateFile } from './private-file';

export interface KubeconfigCommandOptions {
  /** The external user, as named in the config. */
  user: string;
  /** The config's name of the cluster. */
  cluster: string;
  /** A file, written 0600; `-` for stdout, which is refused when it is a terminal. */
  out: string;
  /** The access.yaml the stack was deployed with. */
  config: string;
  /** Where the secret lives (the stack's region); default: the operator's AWS region. */
  region?: string;
}

/** What the command talks to; the defaults are the operator's own credentials and terminal. */
export interface KubeconfigCommandIo {
  secrets: Pick<SecretsManagerClient, 'send'>;
  stdout: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  stderr: Pick<NodeJS.WriteStream, 'write'>;
}

/** Failures of AWS or of the file: exit 1, as the other commands' run-time failures. */
const failed = 1;

/**
 * `eks-access-sync kubeconfig --user NAME --cluster NAME --out FILE`: the handover of a non-AWS
 * user's current kubeconfig by a person. Reads AWSCURRENT with the operator's credentials and writes
 * it where only the operator can read it. The kubeconfig itself is never printed except to a pipe
 * or file with `--out -`; every message names the user, cluster, secret and version only.
 */
export async function kubeconfigCommand(
  options: KubeconfigCommandOptions,
  io: KubeconfigCommandIo = {
    secrets: new SecretsManagerClient(options.region ? { region: options.region } : {}),
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  const say = (line: string) => io.stderr.write(`eks-access-sync kubeconfig: ${line}\n`);
  if (options.out === '-' && io.stdout.isTTY) {
    say(
      'refusing to print a kubeconfig to a terminal; give --out FILE, or pipe --out - into a file or command',
    );
    return exitCodes.invalidInput;
  }
  let secretName: string;
  try {
    secretName = secretOf(options);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    say(error.message);
    return exitCodes.invalidInput;
  }
  let text: string;
  let versionId: string;
  try {
    const got = await io.secrets.send(
      new GetSecretValueCommand({ SecretId: secretName, VersionStage: 'AWSCURRENT' }),
    );
    text = got.SecretString ?? '';
    versionId = got.VersionId ?? '';
  } catch (error) {
    // SDK errors name the call and the secret, never a value.
    say(`reading AWSCURRENT of ${secretName}: ${(error as Error).name}: ${(error as Error).message}`);
    return failed;
  }
  let expiresAt: string;
  try {
    expiresAt = parseKubeconfig(text).record.expiresAt;
  } catch (error) {
    if (!(error instanceof KubeconfigParseError)) throw error;
    say(
      `AWSCURRENT of ${secretName} is not a kubeconfig the tool wrote (${error.message}); not handing it over`,
    );
    return exitCodes.refused;
  }
  const what = `kubeconfig of ${options.user} on ${options.cluster} (${secretName}, version ${versionId}, expires ${expiresAt})`;
  if (options.out === '-') {
    io.stdout.write(text);
    say(`wrote the ${what} to stdout`);
    return exitCodes.ok;
  }
  try {
    const written = writePrivateFile(options.out, text);
    if (written.widerModeFixed)
      say(`${options.out} had mode ${written.widerModeFixed}; narrowed to 0600 before writing`);
  } catch (error) {
    if (!(error instanceof PrivateFileError)) throw error;
    say(error.message);
    return exitCodes.refused;
  }
  say(`wrote the ${what} to ${options.out} (mode 0600)`);
  return exitCodes.ok;
}

/** The secret name of the user's kubeconfig on the cluster, as the stack names it. */
function secretOf(options: KubeconfigCommandOptions): string {
  let text: string;
  try {
    text = readFileSync(options.config, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(options.config, [{ path: '', message: (error as Error).message }]);
  }
  const config = parseAccessConfig(text, options.config);
  const user = config.externalUsers.find((u) => u.name === options.user);
  if (!user)
    throw new InvalidConfigError(options.config, [
      { path: 'externalUsers', message: `no external user named ${options.user}` },
    ]);
  const theirs = clustersOf(
    user,
    config.clusters.map((c) => c.name),
  );
  const cluster = config.clusters.find((c) => c.name === options.cluster);
  if (!cluster || !theirs.includes(cluster.name)) {
    throw new InvalidConfigError(options.config, [
      {
        path: `externalUsers`,
        message: `${options.user} has no kubeconfig on cluster ${options.cluster} (theirs: ${theirs.join(', ') || 'none'})`,
      },
    ]);
  }
  return secretNameFor(user, cluster);
}
