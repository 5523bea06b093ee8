import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  writeSync,
} from 'node:fs';

/** The file cannot be written so that only its owner can read it. Says which file and why. */
export class PrivateFileError extends Error {
  override name = 'PrivateFileError';
}

const modeText = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Writes `text` to `path` readable by its owner only (0600). A new file is created 0600 before any
 * byte is in it; an existing one is narrowed to 0600 first, then overwritten, and is refused when it
 * cannot be (another owner's file), when it is a symlink (the secret would land where it points) or
 * not a regular file. Returns the mode the file had when it was wider, for the operator to know.
 */
export function writePrivateFile(path: string, text: string): { widerModeFixed?: string } {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PrivateFileError(`cannot look at ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (existing?.isSymbolicLink())
    throw new PrivateFileError(`${path} is a symlink: refusing to write through it`);
  if (existing && !existing.isFile()) throw new PrivateFileError(`${path} is not a regular file`);
  const flags = existing
    ? constants.O_WRONLY | constants.O_NOFOLLOW
    : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (error) {
    throw new PrivateFileError(`cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const before = fstatSync(fd).mode & 0o777;
    if (before !== 0o600) {
      try {
        fchmodSync(fd, 0o600);
      } catch (error) {
        throw new PrivateFileError(
          `${path} has mode ${modeText(before)} (readable by others) and it cannot be narrowed to 0600: ${(error as Error).message}; not writing the kubeconfig there`,
          { cause: error },
        );
      }
    }
    if ((fstatSync(fd).mode & 0o777) !== 0o600) throw new PrivateFileError(`${path} did not become 0600`);
    ftruncateSync(fd, 0);
    writeSync(fd, text, 0, 'utf8');
    return existing && before !== 0o600 ? { widerModeFixed: modeText(before) } : {};
  } finally {
    closeSync(fd);
  }
}
