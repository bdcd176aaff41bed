// Values from config that become parts of remote commands: quoted anyway, but refused when they
// are not what they claim to be, so a mistake is named instead of run.

// A command name or an absolute path: no spaces, quotes or leading "-".
const COMMAND_PATH = /^[A-Za-z0-9_./+][A-Za-z0-9_./+-]*$/;

export function isSafeCommandPath(path: string): boolean {
  return COMMAND_PATH.test(path);
}

/** An absolute path that can travel in a command line: no NUL, no line break. */
export function isSafeRemotePath(path: string): boolean {
  return path.startsWith('/') && !/[\0\n\r]/.test(path);
}

/** A host name or address to forward to from the SSH host: no spaces, no leading "-". */
export function isForwardTarget(host: string): boolean {
  return /^[A-Za-z0-9_.:%[\]][A-Za-z0-9_.:%[\]-]*$/.test(host) && host.length <= 255;
}
